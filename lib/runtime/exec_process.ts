/**
 * `exec`: a new process in a running container. The shim's child joins the
 * container's namespaces through a pidfd (so a reused pid can never be
 * entered) and forks into its pid namespace; the command gets the container's
 * capabilities, the user's ids, its own session (and pty with `tty`), and its
 * exit code comes back through the status.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { NookError, SetupError, UsageError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { insideId, isMapped } from "../userns/mod.ts";
import { capabilitySet, lastCapability } from "./capabilities.ts";
import {
  joinableNamespaces,
  type ProcessIdMaps,
  processIdMaps,
  type ReachableProcess,
  reachableProcess,
} from "./container_process.ts";
import { CloneFlag, DEFAULT_PATH } from "./defaults.ts";
import { envFromFlags, mergeEnv } from "./env_spec.ts";
import type { ExecSpec } from "./exec_spec.ts";
import { resolveInRoot } from "./in_root.ts";
import { planExec } from "./plan_steps.ts";
import { outputPipe, readStream, relayTerminal } from "./process_io.ts";
import { NotRunningError, openProcess, type ProcessTarget } from "./process_ref.ts";
import type { OutputMode } from "./run_options.ts";
import { type ChildProcess, type ExitStatus, spawnPlanned } from "./spawn_process.ts";
import { type ResolvedUser, resolveUser } from "./user_lookup.ts";

/** The container to exec in: its first process, pinned by its start time. */
export interface ExecTarget extends ProcessTarget {
  /** How messages name the container (its name or short id); default "of process PID". */
  name?: string;
  /** The container's own cgroup directory: the command is cloned into it. */
  cgroup?: string;
  /**
   * Called when this user may not move a process into `cgroup` (nook runs outside the subtree
   * it shares with the container): the command then runs outside it. Without it, an error.
   */
  onCgroupRefused?: (why: string) => void;
}

/** Options of {@linkcode execInContainer}, as docker's `exec` flags give them. */
export interface ExecOptions {
  /** The command and its arguments (a bare name is looked up in the container's PATH). */
  command: readonly string[];
  /** The container's environment (image and run flags, already merged). */
  env?: readonly string[];
  /** `-e` values on top: `NAME=VALUE`, or `NAME` taken from nook's own environment. */
  envAdd?: readonly string[] | Record<string, string>;
  /** `--env-file` files on top of the container's environment, beneath `envAdd`. */
  envFiles?: readonly string[];
  /**
   * `-u NAME|UID[:GROUP|GID]`, looked up in the container's /etc/passwd and
   * /etc/group; HOME follows it. Default: root of the container (the ids your
   * own map to in its user namespace: 0, or yours with `--userns keep-id`),
   * never the ids its first process may have switched to (gosu, su): pass the
   * container's configured user as `defaultUser`, as lib/container/exec_container.ts does.
   */
  user?: string;
  /**
   * Who runs the command without `user`: the container's configured user
   * (`run -u`, else the image's USER), resolved as `user` is, but its HOME
   * beneath the container's environment (as run sets it). Default: the
   * container's root.
   */
  defaultUser?: string;
  /** Supplementary groups on top of the user's (the container's `--group-add`, as docker's exec). */
  groupAdd?: readonly string[];
  /** Working directory inside (`-w`, must exist). Default "/"; the caller passes the container's. */
  workdir?: string;
  /** A pty from the container's /dev/ptmx (`-t`). */
  tty?: boolean;
  /** Keep stdin open (`-i`). */
  interactive?: boolean;
  /** Do not tie the command to nook (`-d`): no stdin, output to /dev/null, it outlives nook. */
  detach?: boolean;
  /** Every capability in the bounding set (`--privileged`), instead of `capabilities`. */
  privileged?: boolean;
  /** The container's bounding set by name (default: docker's default set). */
  capabilities?: readonly string[];
  /** Where stdout goes (default "inherit"); with `tty`, the terminal's output. */
  stdout?: OutputMode;
  /** Where stderr goes (default "inherit"); with `tty` it is the terminal's. */
  stderr?: OutputMode;
  /** Forward SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2 of this process to the command. */
  forwardSignals?: boolean;
  /** Aborting kills the command. */
  signal?: AbortSignal;
}

/** A command running in a container. */
export interface RunningExec {
  /**
   * Pid of nook's process that waits for the command: it stays outside the
   * container's pid namespace, forwards signals and exits with its status.
   */
  readonly pid: number;
  /** Its stdout when `stdout: "pipe"` (with `tty`, the terminal's output), else null. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** Its stderr when `stderr: "pipe"` and no `tty`, else null. */
  readonly stderr: ReadableStream<Uint8Array> | null;
  /** Resolves when it has ended (exit code, 128+N for signal N) and all is cleaned up. */
  readonly status: Promise<ExitStatus>;
  /** Sends a signal to the command (SIGKILL ends the waiting process, and the command with it). */
  kill(signal?: string): void;
}

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"];
const ESRCH = 3;

/**
 * The user to run as: `-u` resolved in the container's files (read through
 * process `via`), else, as docker's root, the ids your own map to in the
 * container's user namespace (0; yours with `--userns keep-id`): the
 * default its first process was started with, whatever ids it took since.
 */
function execUser(
  via: number,
  spec: string | undefined,
  maps: ProcessIdMaps,
  groupAdd: readonly string[] | undefined,
): ResolvedUser {
  const root = `/proc/${via}/root`;
  const readFile = (path: string) => {
    try {
      return sys.readText(resolveInRoot(root, path));
    } catch (err) {
      throw new NookError(
        `Cannot read the container's ${path} through ${root}: ${(err as Error).message}`,
      );
    }
  };
  const user = resolveUser(root, spec, {
    readFile,
    defaultUid: insideId(maps.uid, sys.uid()) ?? 0,
    defaultGid: insideId(maps.gid, sys.gid()) ?? 0,
    groupAdd,
  });
  const where = "the container's user namespace maps";
  for (
    const [kind, id, map] of [["uid", user.uid, maps.uid], ["gid", user.gid, maps.gid]] as const
  ) {
    if (!isMapped(map, id)) {
      throw new UsageError(
        `Cannot exec as ${kind} ${id}: ${where} only ${
          map.map((m) => `${m.inside}-${m.inside + m.count - 1}`).join(", ")
        }`,
      );
    }
  }
  user.groups = user.groups.filter((g) => isMapped(maps.gid, g));
  return user;
}

/** The exec's spec: ids, environment, capabilities; stdio is added by the caller. */
function resolveExec(
  pid: number,
  via: ReachableProcess,
  options: ExecOptions,
  mode: { tty: boolean; interactive: boolean; detach: boolean },
): ExecSpec {
  const namespaces = joinableNamespaces(via.pid);
  // A container of --pid host shares nook's pid namespace, never its mount namespace.
  if ((namespaces & CloneFlag.NEWNS) === 0) {
    throw new UsageError(
      `Cannot exec in process ${pid}: it shares nook's own mount namespace, ` +
        "so it is not a container's",
    );
  }
  const maps = processIdMaps(pid);
  const user = execUser(via.pid, options.user ?? options.defaultUser, maps, options.groupAdd);
  const lastCap = lastCapability();
  return {
    pid: via.pid,
    pidfd: via.pidfd,
    namespaces,
    argv: [...options.command],
    // docker's order: its defaults, the container's, then --env-file and -e.
    env: mergeEnv(
      [`PATH=${DEFAULT_PATH}`, `HOME=${user.home}`, ...(mode.tty ? ["TERM=xterm"] : [])],
      options.env ?? [],
      options.user !== undefined ? [`HOME=${user.home}`] : [],
      envFromFlags({ env: options.envAdd, envFiles: options.envFiles }),
    ),
    cwd: options.workdir ?? "/",
    user,
    setgroups: maps.setgroups,
    tty: mode.tty,
    ttySize: mode.tty ? sys.terminalSize() ?? undefined : undefined,
    interactive: mode.interactive,
    capabilities: options.privileged
      ? (1n << BigInt(lastCap + 1)) - 1n
      : options.capabilities
      ? capabilitySet({ drop: ["ALL"], add: options.capabilities })
      : capabilitySet(),
    lastCap,
    dieWithParent: !mode.detach,
  };
}

function checkOptions(options: ExecOptions): void {
  const argv = options.command;
  if (argv.length === 0 || argv[0] === "") {
    throw new UsageError("No command given: say what to run in the container, e.g. 'sh'");
  }
  const cwd = options.workdir ?? "/";
  if (!cwd.startsWith("/")) {
    throw new UsageError(`Working directory '${cwd}' must be an absolute path`);
  }
  if (options.detach && options.tty) {
    throw new UsageError(
      "Cannot combine detach (-d) with a terminal (-t): nook has no daemon to hold the terminal",
    );
  }
  if (options.tty && options.interactive && !options.detach && !sys.isTerminal(0)) {
    throw new UsageError("The input device is not a TTY: drop -t, or run from a terminal");
  }
}

/**
 * Starts a command in a running container and returns at once: `docker exec`.
 *
 * The target is the container's first process (its pid as nook sees it; with
 * `startTime`, field 22 of its /proc/PID/stat, so that a reused pid is
 * refused). The command joins every namespace the container does not share
 * with nook and appears in its pid namespace; it gets the container's
 * environment and capabilities unless told otherwise.
 *
 * @param target The container's first process.
 * @param options The command and docker's exec flags.
 * @returns The running command.
 * @throws {NotRunningError} When the container is not running (exit code 125).
 * @throws {UsageError} On bad options, or a user the container does not know.
 * @throws {SetupError} When a step fails; exit code 127 for a command that is
 *   not found, 126 for one that cannot be executed.
 *
 * @example Run `ps` in a container and read its output
 * ```ts ignore
 * import { execInContainer } from "./exec_process.ts";
 * const p = await execInContainer({ pid: container.pid }, { command: ["ps"], stdout: "pipe" });
 * console.log(await new Response(p.stdout).text(), (await p.status).exitCode);
 * ```
 */
export async function execInContainer(
  target: ExecTarget,
  options: ExecOptions,
): Promise<RunningExec> {
  checkOptions(options);
  const { pid } = target;
  const what = target.name !== undefined
    ? `container ${target.name}`
    : `the container of process ${pid}`;
  const notRunning = () =>
    new NotRunningError(
      `${what[0].toUpperCase()}${what.slice(1)} is not running: process ${pid} has ended`,
      pid,
    );
  const detach = options.detach ?? false;
  const tty = options.tty ?? false;
  const interactive = !detach && (options.interactive ?? false);
  const stdoutMode = detach ? "null" : options.stdout;
  const stderrMode = detach || tty ? "null" : options.stderr;
  const shim = loadShim();
  const cleanups: (() => void)[] = [];
  const cleanup = () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        fn();
      } catch {
        // keep cleaning
      }
    }
  };

  const pidfd = openProcess(target, { what });
  let via: ReachableProcess = { pid, pidfd };
  let child: ChildProcess;
  let out: [number, number] | null = null;
  let err: [number, number] | null = null;
  try {
    let spec: ExecSpec;
    try {
      via = reachableProcess(pid, pidfd);
      spec = resolveExec(pid, via, options, { tty, interactive, detach });
    } catch (e) {
      throw e instanceof NotRunningError ? notRunning() : e;
    }
    // With a tty the terminal carries stdout and stderr: a pipe only receives the relay.
    out = outputPipe(stdoutMode === "null" && tty ? "pipe" : stdoutMode);
    err = outputPipe(stderrMode);
    for (const p of [out, err]) {
      if (p) cleanups.push(() => shim.close(p[0]), () => shim.close(p[1]));
    }
    if (!tty) {
      spec.stdoutFd = stdoutMode === "null" ? "null" : out?.[1];
      spec.stderrFd = stderrMode === "null" ? "null" : err?.[1];
    }
    try {
      child = await spawnPlanned(planExec(spec), null, {
        cgroup: target.cgroup,
        onCgroupRefused: target.onCgroupRefused,
      });
    } catch (e) {
      if (e instanceof SetupError && e.step === "setns" && e.errno === ESRCH) throw notRunning();
      throw e;
    }
  } catch (e) {
    cleanup();
    throw e;
  } finally {
    // The child has its own copy since the clone.
    shim.close(pidfd);
    if (via.pidfd !== pidfd) shim.close(via.pidfd);
  }

  // The child has its ends; keep only ours (the relay's write end until the relay is done).
  cleanups.splice(0);
  if (err) shim.close(err[1]);
  if (out && !tty) shim.close(out[1]);
  if (options.forwardSignals) {
    for (const s of FORWARDED) cleanups.push(sys.onSignal(s, () => child.kill(s)));
  }
  const onAbort = () => child.kill("SIGKILL");
  options.signal?.addEventListener("abort", onAbort);
  cleanups.push(() => options.signal?.removeEventListener("abort", onAbort));
  if (options.signal?.aborted) onAbort();
  let relay: Promise<unknown> = Promise.resolve();
  if (child.ptyFd >= 0) {
    const terminal = relayTerminal(child.ptyFd, { stdin: interactive, outFd: out?.[1] ?? 1 });
    cleanups.push(terminal.stop);
    relay = terminal.done;
  }
  if (out && tty) {
    const writeEnd = out[1];
    cleanups.push(() => shim.close(writeEnd)); // the stream ends once the relay is done
  }
  let stdout = out ? readStream(out[0]) : null;
  if (stdout && stdoutMode === "null") {
    stdout.pipeTo(new WritableStream()).catch(() => {}); // a terminal's output, discarded
    stdout = null;
  }
  const status = child.status.then(async (s) => {
    await relay;
    cleanup();
    return s;
  });
  return {
    pid: child.pid,
    stdout,
    stderr: err ? readStream(err[0]) : null,
    status,
    kill: (signal = "SIGTERM") => child.kill(signal),
  };
}
