/**
 * Container handles for scripts: create or run a detached container, then
 * start, stop, kill, pause, wait for, exec into, read the logs and the
 * resource use of, copy files into and out of, commit, export, inspect and
 * remove it, the way testcontainers does, without a daemon.
 *
 * @module
 */
import type { ContainerRecord } from "../records/container_record.ts";
import { listRecords, readRecord } from "../records/container_record.ts";
import { type ContainerStatus, containerStatus } from "../records/container_state.ts";
import {
  type ContainerStats,
  containerStats,
  watchStats,
  type WatchStatsOptions,
} from "./container_stats.ts";
import {
  checkLogsReadable,
  followLogs,
  type LogEntry,
  type LogOptions,
  readLogs,
} from "./container_logs.ts";
import { createContainer } from "./create_container.ts";
import { execContainer, type ExecContainerOptions } from "./exec_container.ts";
import type { RunningExec } from "../runtime/exec_process.ts";
import { findContainer, NoSuchContainerError } from "./find_container.ts";
import { type ContainerInspect, inspectContainer } from "./inspect_container.ts";
import { launchDetached } from "./launch_container.ts";
import { pauseContainer, unpauseContainer } from "./pause_container.ts";
import { removeContainer } from "./remove_container.ts";
import { renameContainer } from "./rename_container.ts";
import { restartContainer } from "./restart_container.ts";
import { updateContainer, type UpdateOptions } from "./update_container.ts";
import type { ResourceLimits } from "../cgroups/resource_limits.ts";
import type { ImageRecord } from "../store/mod.ts";
import type { CommitOptions } from "./commit_container.ts";
import type { ContainerChange, ContainerDiffOptions } from "./container_diff.ts";
import type { CopyFromOptions } from "./copy_from_container.ts";
import type { CopyToOptions } from "./copy_to_container.ts";
import type { ExportOptions } from "./export_container.ts";
import { iterableStream } from "../unpack/iterable_stream.ts";
import { killContainer, stopContainer, waitForExit } from "./signal_container.ts";
import type { ContainerOptions } from "./start_container.ts";

/** Options of {@linkcode Container.logs}. */
export interface ContainerLogOptions extends LogOptions {
  /** Keep reading while the container runs. */
  follow?: boolean;
  /** Ends a follow. */
  signal?: AbortSignal;
}

/** A container in the store, by id. */
export class Container {
  /** The container id (64 hex digits). */
  readonly id: string;

  /**
   * A handle on the container `id` (see {@linkcode getContainer} to find one by name).
   *
   * @param id The container id.
   */
  constructor(id: string) {
    this.id = id;
  }

  /** The record as stored now. */
  get record(): ContainerRecord {
    const r = readRecord(this.id);
    if (!r) throw new NoSuchContainerError(this.id);
    return r;
  }

  /** Its name. */
  get name(): string {
    return this.record.name;
  }

  /**
   * Its status now.
   *
   * @returns created, running, restarting, exited or unknown, with pid and exit code.
   */
  status(): ContainerStatus {
    return containerStatus(this.id);
  }

  /**
   * Starts it under a monitor (no-op when it runs).
   *
   * @returns The pid of its first process.
   */
  async start(): Promise<number> {
    return (await launchDetached(this.record)).pid;
  }

  /**
   * Stops it: its stop signal, then SIGKILL after `timeout` seconds.
   *
   * @param timeout Seconds (default: the container's, 10).
   * @returns Its exit code.
   */
  async stop(timeout?: number): Promise<number> {
    return (await stopContainer(this.record, timeout)).exitCode;
  }

  /**
   * Sends a signal to its first process (SIGKILL also ends what is left in its cgroup).
   *
   * @param signal e.g. "SIGTERM" (default SIGKILL).
   */
  async kill(signal = "SIGKILL"): Promise<void> {
    await killContainer(this.record, signal);
  }

  /**
   * Freezes all its processes (it needs a cgroup of its own: the host must delegate one).
   *
   * @throws {HostError} When it has no cgroup of its own.
   */
  async pause(): Promise<void> {
    await pauseContainer(this.record);
  }

  /** Thaws it after {@linkcode Container.pause}. */
  async unpause(): Promise<void> {
    await unpauseContainer(this.record);
  }

  /**
   * A sample of its resource use, as `nook stats` shows it: CPU time and
   * share, memory, tasks, block and network I/O (what its cgroup does not
   * tell is absent).
   *
   * @param previous An earlier sample, for the CPU share since then (`cpuPercent`).
   * @returns The sample.
   *
   * @example CPU use over one second
   * ```ts ignore
   * const first = web.stats();
   * await new Promise((r) => setTimeout(r, 1000));
   * console.log(web.stats(first).cpuPercent);
   * ```
   */
  stats(previous?: ContainerStats): ContainerStats {
    return containerStats(this.record, { previous });
  }

  /**
   * Samples its resource use every `intervalMs` (`nook stats`), until
   * `signal` aborts or the loop breaks; the first sample comes after one
   * interval, with its CPU share.
   *
   * @param options The interval (default 1000 ms) and an abort signal.
   * @returns The samples, as they come.
   *
   * @example Ten seconds of memory use
   * ```ts ignore
   * for await (const s of web.watchStats({ signal: AbortSignal.timeout(10_000) })) {
   *   console.log(s.memoryUsage);
   * }
   * ```
   */
  async *watchStats(options: WatchStatsOptions = {}): AsyncGenerator<ContainerStats> {
    for await (const [sample] of watchStats(() => [this.record], options)) yield sample;
  }

  /**
   * Waits until it is no longer running.
   *
   * @param options `signal` ends the wait (it rejects with the signal's reason); the
   * container goes on.
   * @returns Its exit code.
   */
  async wait(options: { signal?: AbortSignal } = {}): Promise<number> {
    return (await waitForExit(this.id, Infinity, options.signal)).exitCode;
  }

  /**
   * Stops it as {@linkcode Container.stop} does and starts it again (`nook restart`).
   *
   * @param timeout Seconds to wait for the stop signal before SIGKILL (default: the container's).
   * @returns The pid of its new first process.
   */
  async restart(timeout?: number): Promise<number> {
    return await restartContainer(this.record, timeout);
  }

  /**
   * Renames it (`nook rename`); the id stays.
   *
   * @param name The new name (docker's rules: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, unused).
   * @throws {UsageError} When the name is invalid or taken.
   */
  async rename(name: string): Promise<void> {
    await renameContainer(this.record, name);
  }

  /**
   * Changes its resource limits, running or not (`nook update`); they are kept for later starts.
   *
   * @param limits The limits to change (those not given stay).
   * @param options Where warnings go (limits stored but not applied now).
   * @returns The limits it has now.
   * @throws {UsageError} When the limits do not fit together.
   */
  async update(limits: ResourceLimits, options: UpdateOptions = {}): Promise<ResourceLimits> {
    return await updateContainer(this.record, limits, options);
  }

  /**
   * Its log: everything so far, or (with `follow`) also what comes while it runs.
   *
   * @param options Follow, tail, time window.
   * @returns The entries, as they come.
   */
  async *logs(options: ContainerLogOptions = {}): AsyncGenerator<LogEntry> {
    checkLogsReadable(this.record);
    if (options.follow) yield* followLogs(this.id, options);
    else yield* readLogs(this.id, options);
  }

  /**
   * Runs a command in it (`nook exec`): with `stdout: "pipe"`, read `stdout`; await `status`.
   *
   * @param command The command and its arguments.
   * @param options docker's exec flags (user, workdir, env, tty, ...).
   * @returns The running command.
   */
  async exec(
    command: readonly string[],
    options: Omit<ExecContainerOptions, "command"> = {},
  ): Promise<RunningExec> {
    return await execContainer(this.record, { ...options, command });
  }

  /**
   * Copies a host file or directory into it (`nook cp SRC CTR:PATH`), running or not, with
   * docker's rules for PATH; a stream is a tar whose entries are unpacked at PATH (`cp -`).
   *
   * @param src A host path, or a tar stream.
   * @param path Where it goes in the container.
   * @param options `archive` keeps the owners, `followLink` follows a symlink source.
   * @throws {NookError} When the source or the destination's directory is missing.
   */
  async copyTo(
    src: string | ReadableStream<Uint8Array>,
    path: string,
    options: CopyToOptions = {},
  ): Promise<void> {
    const { copyToContainer } = await import("./copy_to_container.ts");
    await copyToContainer(src, this.id, path, options);
  }

  /**
   * Copies a file or directory out of it to the host (`nook cp CTR:PATH DEST`).
   *
   * @param path The path in the container.
   * @param dest Where it goes on the host (docker's rules).
   * @param options `followLink`, warnings.
   * @throws {NookError} When the path does not exist in the container.
   */
  async copyFrom(path: string, dest: string, options: CopyFromOptions = {}): Promise<void> {
    const { copyFromContainer } = await import("./copy_from_container.ts");
    await copyFromContainer(this.id, path, dest, options);
  }

  /**
   * A file or directory of it as a tar stream (`nook cp CTR:PATH -`).
   *
   * @param path The path in the container.
   * @param options `followLink`, warnings.
   * @returns The tar's bytes.
   */
  async archive(path: string, options: CopyFromOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const { containerArchive } = await import("./copy_from_container.ts");
    return iterableStream(await containerArchive(this.id, path, options));
  }

  /**
   * Its whole file system as a tar stream (`nook export`).
   *
   * @param options Warnings.
   * @returns The tar's bytes.
   */
  async export(options: ExportOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const { exportContainer } = await import("./export_container.ts");
    return iterableStream(await exportContainer(this.id, options));
  }

  /**
   * What changed in its file system against its image (`nook diff`).
   *
   * @param options Warnings.
   * @returns The changes, sorted by path: kind "A" added, "C" changed, "D" deleted.
   */
  async changes(options: ContainerDiffOptions = {}): Promise<ContainerChange[]> {
    const { containerDiff } = await import("./container_diff.ts");
    return await containerDiff(this.id, options);
  }

  /**
   * Makes an image of it (`nook commit`): its image's layers and one layer of its changes.
   *
   * @param options The new image's name, message, author, config changes, pause.
   * @returns The new image's record.
   */
  async commit(options: CommitOptions = {}): Promise<ImageRecord> {
    const { commitContainer } = await import("./commit_container.ts");
    return await commitContainer(this.id, options);
  }

  /**
   * docker's inspect object.
   *
   * @returns The object.
   */
  inspect(): ContainerInspect {
    return inspectContainer(this.record);
  }

  /**
   * Removes it (`force` stops it first).
   *
   * @param options `force`.
   */
  async remove(options: { force?: boolean } = {}): Promise<void> {
    await removeContainer(this.id, options);
  }

  /** Removes it, running or not (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await removeContainer(this.id, { force: true });
  }
}

/**
 * Creates a container (nothing runs until `start()`).
 *
 * @param options The image (or rootfs), command, name, restart policy, ...
 * @returns Its handle.
 * @throws {UsageError} On bad options or a name in use.
 *
 * @example
 * ```ts ignore
 * const c = await createContainer({ image: "busybox", command: ["sleep", "60"], name: "nap" });
 * await c.start();
 * ```
 */
export async function create(options: ContainerOptions): Promise<Container> {
  return new Container((await createContainer(options)).id);
}

/**
 * Creates and starts a detached container (`nook run -d`).
 *
 * @param options The image (or rootfs), command, name, restart policy, ...
 * @returns Its handle, once its command runs.
 * @throws {NookError} Subclasses when it cannot be created or started (it is removed then).
 *
 * @example A service container for a test
 * ```ts ignore
 * import { runDetached } from "./container_handle.ts";
 * await using web = await runDetached({ image: "busybox", command: ["httpd", "-f", "-p", "8080"] });
 * for await (const line of web.logs()) console.log(line.text);
 * ```
 */
export async function runDetached(options: ContainerOptions): Promise<Container> {
  const record = await createContainer(options);
  try {
    await launchDetached(record);
  } catch (err) {
    await removeContainer(record.id, { force: true }).catch(() => {});
    throw err;
  }
  return new Container(record.id);
}

/**
 * A handle on an existing container.
 *
 * @param ref Its id, name or a unique id prefix.
 * @returns The handle.
 * @throws {NoSuchContainerError} When none matches.
 *
 * @example
 * ```ts ignore
 * await getContainer("web").stop();
 * ```
 */
export function getContainer(ref: string): Container {
  return new Container(findContainer(ref).id);
}

/**
 * The containers in the store.
 *
 * @param options `all` (default true) or only running ones.
 * @returns Their handles, oldest first.
 *
 * @example
 * ```ts ignore
 * for (const c of listContainers({ all: false })) console.log(c.name);
 * ```
 */
export function listContainers(options: { all?: boolean } = {}): Container[] {
  return listRecords()
    .filter((r) => options.all !== false || containerStatus(r.id).status === "running")
    .map((r) => new Container(r.id));
}
