/**
 * Starts the worker that reads or writes a container's files: nook itself,
 * re-executed as the hidden command `_container-files` as root in the user's
 * user namespace, where files of subordinate ids (0600 ones too) are read
 * and written with their real owners and modes. The request goes on its
 * command line; archives and listings come back on its standard output, an
 * archive to copy in goes to its standard input, and its errors come on
 * standard error.
 *
 * In the worker's mount namespace every mount is read-only, except the one
 * directory a copy into the container writes (the upper directory or the vfs
 * copy): whatever a container left in its files, the kernel keeps the worker
 * from writing anywhere else.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { Op, StepFlag } from "../../shim/protocol.ts";
import { NookError } from "../errors/mod.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import type { Step } from "../../shim/protocol.ts";
import { spawnPlanned } from "../runtime/spawn_process.ts";
import { selfCommand, sys } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";
import type { CopySource } from "./copy_into_tree.ts";
import type { TreeLayer } from "./layered_tree.ts";
import { readFdText } from "../runtime/process_io.ts";

/** What the worker is asked to do. */
export type FilesRequest =
  | {
    /** List the changes (JSON on standard output). */
    op: "diff";
    /** The upper directory, or the vfs copy. */
    top: TreeLayer;
    /** The image's layers, top first. */
    lowers: TreeLayer[];
    /** `top` is a vfs copy. */
    copy: boolean;
  }
  | {
    /** Write the changes as an image layer (a tar with OCI whiteouts). */
    op: "layer";
    /** The upper directory, or the vfs copy. */
    top: TreeLayer;
    /** The image's layers, top first. */
    lowers: TreeLayer[];
    /** `top` is a vfs copy. */
    copy: boolean;
  }
  | {
    /** Write the whole merged file system as a tar. */
    op: "export";
    /** The stack, top first. */
    layers: TreeLayer[];
  }
  | {
    /** Write one path of the merged file system as a tar. */
    op: "archive";
    /** The stack, top first. */
    layers: TreeLayer[];
    /** The path in the container. */
    path: string;
    /** Follow a symlink in the last component. */
    followLink: boolean;
    /** The top entry's name in the tar. */
    name: string;
    /** The container as the user named it, for messages. */
    container: string;
  }
  | {
    /** Extract the tar on standard input into the container. */
    op: "extract";
    /** The stack, top first; the top one is written. */
    layers: TreeLayer[];
    /** The destination in the container. */
    dest: string;
    /** What the tar holds. */
    source: CopySource;
    /** Keep the tar's owners, or make everything root's. */
    owners: "keep" | "squash";
  };

/**
 * A worker's output as chunks; when they end, the worker is waited for (its
 * error thrown), and when the reader stops early, it is killed.
 *
 * @param worker The worker.
 * @returns Its output.
 *
 * @example
 * ```ts ignore
 * for await (const chunk of workerOutput(worker)) await out.write(chunk);
 * ```
 */
export async function* workerOutput(worker: FilesWorker): AsyncGenerator<Uint8Array> {
  let ended = false;
  try {
    yield* worker.output;
    ended = true;
  } finally {
    if (ended) await worker.finish();
    else await worker.abort();
  }
}

/** Options of {@linkcode startFilesWorker}. */
export interface StartFilesWorkerOptions {
  /** The one directory the worker may write (default: none). */
  writable?: string;
  /** Receives the worker's warnings. */
  onWarning?: (message: string) => void;
}

/** A running worker. */
export interface FilesWorker {
  /** Its standard output. */
  readonly output: ReadableStream<Uint8Array>;
  /** Writes to its standard input; false when the worker stopped reading (`finish()` says why). */
  write(chunk: Uint8Array): Promise<boolean>;
  /** Closes its standard input. */
  closeInput(): void;
  /** Waits for it to end; throws its error. */
  finish(): Promise<void>;
  /** Kills it. */
  abort(): Promise<void>;
  /**
   * Kills it (when it still runs) and returns the error it reported itself
   * before, if any: after a failure on this side, that is the better reason
   * when it stopped first.
   */
  stop(): Promise<NookError | null>;
}

const MOUNT_ATTR_RDONLY = 0x1;
const SIGKILL = 9;
const ENV_KEEP = [
  "HOME",
  "PATH",
  "DENO_DIR",
  "XDG_RUNTIME_DIR",
  "XDG_DATA_HOME",
  // A compiled nook's shim is in this cache, put there by the parent: the child, whose mounts
  // are read-only, verifies it there instead of writing its own copy elsewhere.
  "XDG_CACHE_HOME",
  "NO_COLOR",
  "NOOK_SHIM_PATH",
];

/**
 * Starts a worker on a request.
 *
 * @param request What to do.
 * @param options The writable directory, warnings.
 * @returns The worker; read its output, then `finish()` it.
 * @throws {NookError} When pipes cannot be made or the worker cannot start.
 *
 * @example
 * ```ts ignore
 * const worker = await startFilesWorker({ op: "export", layers });
 * worker.closeInput();
 * for await (const chunk of worker.output) await out.write(chunk);
 * await worker.finish();
 * ```
 */
export async function startFilesWorker(
  request: FilesRequest,
  options: StartFilesWorkerOptions = {},
): Promise<FilesWorker> {
  const shim = loadShim();
  const pipes = [shim.pipe(), shim.pipe(), shim.pipe()];
  if (pipes.some((p) => typeof p === "number")) {
    for (const p of pipes) if (typeof p !== "number") p.forEach((fd) => shim.close(fd));
    throw new NookError("Cannot create a pipe for the container files worker");
  }
  const [input, output, errors] = pipes as [number, number][];
  const argv = [...selfCommand(), "_container-files", JSON.stringify(request)];
  const env = ENV_KEEP.flatMap((k) => (sys.env(k) !== undefined ? [`${k}=${sys.env(k)}`] : []));
  const mounts: Step[] = options.writable
    ? [
      // the writable directory on itself, then everything read-only, then it writable again
      { op: Op.ENTER_ROOT, s: [options.writable] },
      { op: Op.MOUNT_ATTR, flags: StepFlag.RECURSIVE, n: [MOUNT_ATTR_RDONLY, 0], s: [null, "/"] },
      { op: Op.MOUNT_ATTR, n: [0, MOUNT_ATTR_RDONLY], s: [null, options.writable] },
    ]
    : [{ op: Op.MOUNT_ATTR, flags: StepFlag.RECURSIVE, n: [MOUNT_ATTR_RDONLY, 0], s: [null, "/"] }];
  const steps: Step[] = [
    { op: Op.PDEATHSIG, n: [SIGKILL] },
    { op: Op.MOUNT_PRIVATE },
    ...mounts,
    { op: Op.DUP2, n: [input[0], 0] },
    { op: Op.DUP2, n: [output[1], 1] },
    { op: Op.DUP2, n: [errors[1], 2] },
    { op: Op.CLOSE_FDS },
    { op: Op.EXEC, n: [argv.length, env.length], s: [argv[0], null, argv, env] },
  ];
  const describe = [
    "set the parent-death signal",
    "make the mounts private",
    ...(options.writable
      ? [
        `bind ${options.writable} on itself`,
        "make the host read-only",
        `make ${options.writable} writable`,
      ]
      : ["make the host read-only"]),
    "attach the input pipe",
    "attach the output pipe",
    "attach the error pipe",
    "close inherited file descriptors",
    "start the container files worker",
  ];
  let child;
  try {
    child = await spawnPlanned(
      { program: { cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNS, steps }, describe },
      chooseIdMaps({ onWarning: () => {} }),
    );
  } catch (err) {
    for (const fd of [input[1], output[0], errors[0]]) shim.close(fd);
    throw err;
  } finally {
    for (const fd of [input[0], output[1], errors[1]]) shim.close(fd);
  }

  const errText = readFdText(errors[0]);

  let outputOpen = true;
  let reading = false;
  let cancelled = false;
  const closeOutput = () => {
    if (outputOpen && !reading) { // a read in flight ends (EOF) and closes it itself
      shim.close(output[0]);
      outputOpen = false;
    }
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = new Uint8Array(256 * 1024);
      reading = outputOpen;
      const n = outputOpen ? await shim.read(output[0], buf) : 0;
      reading = false;
      if (cancelled) return closeOutput();
      if (n <= 0) {
        closeOutput();
        controller.close();
        return;
      }
      controller.enqueue(buf.slice(0, n));
    },
    cancel() {
      cancelled = true;
      closeOutput();
    },
  });

  let inputOpen = true;
  const closeInput = () => {
    if (inputOpen) shim.close(input[1]);
    inputOpen = false;
  };
  const done = child.status;
  let ended: Promise<{ exitCode: number; reported: string }> | undefined;
  const end = () =>
    ended ??= (async () => {
      closeInput();
      const [{ exitCode }, text] = await Promise.all([done, errText]);
      closeOutput();
      const lines = text.split("\n").filter(Boolean);
      for (const l of lines.filter((l) => l.startsWith("warning: "))) {
        options.onWarning?.(l.slice(9));
      }
      return { exitCode, reported: lines.filter((l) => !l.startsWith("warning: ")).join("; ") };
    })();
  const outcome = async () => {
    const { exitCode, reported } = await end();
    if (exitCode !== 0) {
      throw new NookError(reported || `the container files worker exited with code ${exitCode}`);
    }
  };
  return {
    output: stream,
    async write(chunk) {
      for (let at = 0; at < chunk.length;) {
        if (!inputOpen) return false;
        const n = await shim.write(input[1], chunk.subarray(at));
        if (n < 0) { // EPIPE: the worker stopped reading; finish() says why
          closeInput();
          return false;
        }
        at += n;
      }
      return inputOpen;
    },
    closeInput,
    finish: outcome,
    async abort() {
      child.kill("SIGKILL");
      await end();
    },
    async stop() {
      child.kill("SIGKILL");
      const { exitCode, reported } = await end();
      return exitCode !== 0 && reported ? new NookError(reported) : null;
    },
  };
}
