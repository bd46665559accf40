/**
 * Starting a worker: nook itself, re-executed as a hidden command as root in
 * the user's user namespace (with the subordinate ranges, when the user has
 * them), where files of subordinate ids are read and written with their real
 * owners. In the worker's mount namespace every mount is read-only except
 * the one directory it may write, so whatever the data it reads says, the
 * kernel keeps it from writing anywhere else.
 *
 * The worker reads standard input (a pipe the parent writes), may write
 * standard output (a pipe the parent reads) and reports on standard error
 * as {@linkcode runUsernsWorker} does: one line per error or warning, and its
 * exit code. Both the layer unpacker and the container files worker start
 * this way.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { Op, type Step, StepFlag } from "../../shim/protocol.ts";
import { NookError } from "../errors/mod.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import { readFdText } from "../runtime/process_io.ts";
import { spawnPlanned } from "../runtime/spawn_process.ts";
import { selfCommand, sys } from "../sys/mod.ts";
import { chooseIdMaps, type IdMapPlan } from "../userns/mod.ts";
import { WARNING_PREFIX } from "./userns_worker_main.ts";

/** Options of {@linkcode startUsernsWorker}. */
export interface StartUsernsWorkerOptions {
  /** What follows nook's own command: the hidden command and its arguments. */
  args: string[];
  /** What the worker is, for messages ("the layer unpacker"). */
  name: string;
  /** The one directory the worker may write (default: none). */
  writable?: string;
  /** Pipe the worker's standard output back (default: it is nook's). */
  output?: boolean;
  /** The id maps (default: `chooseIdMaps()`'s). */
  idMaps?: IdMapPlan;
  /** Receives the worker's warnings. */
  onWarning?: (message: string) => void;
  /**
   * The capacity of its input pipe in bytes (default: the kernel's, 64 KiB); best effort:
   * a user past the kernel's quota of pipe memory keeps the default.
   */
  inputPipeSize?: number;
}

/** A running worker. */
export interface UsernsWorker {
  /** Its standard output; an empty stream unless `output` was asked for. */
  readonly output: ReadableStream<Uint8Array>;
  /** Writes to its standard input; false when the worker stopped reading (`finish()` says why). */
  write(chunk: Uint8Array): Promise<boolean>;
  /** Closes its standard input. */
  closeInput(): void;
  /** Closes its input, waits for it to end; throws the error it reported. */
  finish(): Promise<void>;
  /** Kills it and waits for it to end. */
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

/** The shim steps of the worker, each with what it does (for a failed step's message). */
function plannedSteps(
  options: StartUsernsWorkerOptions,
  fds: { input: number; output: number | null; errors: number },
  argv: string[],
  env: string[],
): [Step, string][] {
  const readOnly: [Step, string] = [
    { op: Op.MOUNT_ATTR, flags: StepFlag.RECURSIVE, n: [MOUNT_ATTR_RDONLY, 0], s: [null, "/"] },
    "make the host read-only",
  ];
  const { writable } = options;
  return [
    [{ op: Op.PDEATHSIG, n: [SIGKILL] }, "set the parent-death signal"],
    [{ op: Op.MOUNT_PRIVATE }, "make the mounts private"],
    // the writable directory on itself, then everything read-only, then it writable again
    ...(writable !== undefined
      ? [
        [{ op: Op.ENTER_ROOT, s: [writable] }, `bind ${writable} on itself`],
        readOnly,
        [
          { op: Op.MOUNT_ATTR, n: [0, MOUNT_ATTR_RDONLY], s: [null, writable] },
          `make ${writable} writable`,
        ],
      ] satisfies [Step, string][]
      : [readOnly]),
    [{ op: Op.DUP2, n: [fds.input, 0] }, "attach the input pipe"],
    ...(fds.output !== null
      ? [[{ op: Op.DUP2, n: [fds.output, 1] }, "attach the output pipe"]] satisfies [
        Step,
        string,
      ][]
      : []),
    [{ op: Op.DUP2, n: [fds.errors, 2] }, "attach the error pipe"],
    [{ op: Op.CLOSE_FDS }, "close inherited file descriptors"],
    [
      { op: Op.EXEC, n: [argv.length, env.length], s: [argv[0], null, argv, env] },
      `start ${options.name}`,
    ],
  ];
}

/**
 * Starts a worker.
 *
 * @param options The hidden command, the worker's name, the writable directory.
 * @returns The worker; write its input and read its output, then `finish()` it.
 * @throws {NookError} When pipes cannot be made or the worker cannot start.
 *
 * @example
 * ```ts ignore
 * const worker = await startUsernsWorker({
 *   args: ["_unpack-layer", dir, "gzip", diffId, "keep"],
 *   name: "the layer unpacker",
 *   writable: dir,
 * });
 * for await (const chunk of body) if (!(await worker.write(chunk))) break;
 * await worker.finish();
 * ```
 */
export async function startUsernsWorker(options: StartUsernsWorkerOptions): Promise<UsernsWorker> {
  const shim = loadShim();
  const pipes = [shim.pipe(), ...(options.output ? [shim.pipe()] : []), shim.pipe()];
  if (pipes.some((p) => typeof p === "number")) {
    for (const p of pipes) if (typeof p !== "number") p.forEach((fd) => shim.close(fd));
    throw new NookError(`Cannot create a pipe for ${options.name}`);
  }
  const [input, errors] = [pipes[0], pipes.at(-1)] as [number, number][];
  if (options.inputPipeSize) shim.setPipeSize(input[1], options.inputPipeSize);
  const output = options.output ? pipes[1] as [number, number] : null;
  const argv = [...selfCommand(), ...options.args];
  const env = ENV_KEEP.flatMap((k) => (sys.env(k) !== undefined ? [`${k}=${sys.env(k)}`] : []));
  const planned = plannedSteps(
    options,
    { input: input[0], output: output?.[1] ?? null, errors: errors[1] },
    argv,
    env,
  );
  const ours = [input[1], errors[0], ...(output ? [output[0]] : [])];
  let child;
  try {
    child = await spawnPlanned(
      {
        program: {
          cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNS,
          steps: planned.map(([step]) => step),
        },
        describe: planned.map(([, what]) => what),
      },
      options.idMaps ?? chooseIdMaps({ onWarning: () => {} }),
    );
  } catch (err) {
    for (const fd of ours) shim.close(fd);
    throw err;
  } finally {
    for (const fd of [input[0], errors[1], ...(output ? [output[1]] : [])]) shim.close(fd);
  }

  const errText = readFdText(errors[0]);

  const outputFd = output ? output[0] : -1;
  let outputOpen = output !== null;
  let reading = false;
  let cancelled = false;
  const closeOutput = () => {
    if (outputOpen && !reading) { // a read in flight ends (EOF) and closes it itself
      shim.close(outputFd);
      outputOpen = false;
    }
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buf = new Uint8Array(256 * 1024);
      reading = outputOpen;
      const n = outputOpen ? await shim.read(outputFd, buf) : 0;
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
      const warning = (l: string) => l.startsWith(WARNING_PREFIX);
      for (const l of lines.filter(warning)) options.onWarning?.(l.slice(WARNING_PREFIX.length));
      return { exitCode, reported: lines.filter((l) => !warning(l)).join("; ") };
    })();
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
    async finish() {
      const { exitCode, reported } = await end();
      if (exitCode !== 0) {
        throw new NookError(reported || `${options.name} exited with code ${exitCode}`);
      }
    },
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
