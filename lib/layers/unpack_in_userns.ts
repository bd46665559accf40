/**
 * Unpacks a layer as root inside the user's user namespace, so that the
 * owners in the tar become subordinate ids on the host. nook re-executes
 * itself there (`_unpack-layer`) and reads the layer from a pipe while the
 * parent is still downloading it. Beneath the unpacker's own checks, the
 * kernel enforces the boundary: in the child's mount namespace every mount is
 * read-only except the new layer directory, so no tar entry can change
 * anything outside it.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { Op, StepFlag } from "../../shim/protocol.ts";
import { NookError } from "../errors/mod.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import { spawnPlanned } from "../runtime/spawn_process.ts";
import { selfCommand, sys } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";
import { readFdText } from "../runtime/process_io.ts";

/** Options of {@linkcode startUnpack}. */
export interface StartUnpackOptions {
  /** "gzip", "zstd" or "none". */
  compression: string;
  /** Expected diff id (sha256 of the uncompressed tar), checked by the child. */
  diffId: string;
  /** Receives the child's warnings. */
  onWarning?: (message: string) => void;
}

/** A running unpack: feed it the layer's bytes, then wait for it. */
export interface Unpacker {
  /** Sends the next chunk of the (compressed) layer. */
  write(chunk: Uint8Array): Promise<void>;
  /** Ends the input and waits for the child; throws its error. */
  finish(): Promise<void>;
  /** Kills the child (after a failed download). */
  abort(): Promise<void>;
}

const MOUNT_ATTR_RDONLY = 0x1;

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
 * Starts an unpack child that writes a layer into `dest` (an empty directory).
 *
 * @param dest The layer directory.
 * @param options Compression, diff id, warnings.
 * @returns The unpacker.
 *
 * @example
 * ```ts ignore
 * const u = await startUnpack(dir, { compression: "gzip", diffId });
 * for await (const chunk of body) await u.write(chunk);
 * await u.finish();
 * ```
 */
export async function startUnpack(dest: string, options: StartUnpackOptions): Promise<Unpacker> {
  const shim = loadShim();
  const idMap = chooseIdMaps({ onWarning: () => {} });
  const owners = idMap.mode === "subid" ? "keep" : "squash";
  const input = shim.pipe();
  const errors = shim.pipe();
  if (typeof input === "number" || typeof errors === "number") {
    throw new NookError("Cannot create a pipe");
  }
  const argv = [
    ...selfCommand(),
    "_unpack-layer",
    dest,
    options.compression,
    options.diffId,
    owners,
  ];
  const env = ENV_KEEP.flatMap((k) => (sys.env(k) !== undefined ? [`${k}=${sys.env(k)}`] : []));
  let child;
  try {
    child = await spawnPlanned({
      program: {
        cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNS,
        steps: [
          { op: Op.PDEATHSIG, n: [9] },
          { op: Op.MOUNT_PRIVATE },
          // dest on itself, then everything read-only, then dest writable again
          { op: Op.ENTER_ROOT, s: [dest] },
          {
            op: Op.MOUNT_ATTR,
            flags: StepFlag.RECURSIVE,
            n: [MOUNT_ATTR_RDONLY, 0],
            s: [null, "/"],
          },
          { op: Op.MOUNT_ATTR, n: [0, MOUNT_ATTR_RDONLY], s: [null, dest] },
          { op: Op.DUP2, n: [input[0], 0] },
          { op: Op.DUP2, n: [errors[1], 2] },
          { op: Op.CLOSE_FDS },
          { op: Op.EXEC, n: [argv.length, env.length], s: [argv[0], null, argv, env] },
        ],
      },
      describe: [
        "set the parent-death signal",
        "attach the layer pipe",
        "attach the error pipe",
        "close inherited file descriptors",
        "start the unpacker",
      ],
    }, idMap);
  } finally {
    shim.close(input[0]);
    shim.close(errors[1]);
  }
  const errText = readFdText(errors[0]);
  let open = true;
  const closeInput = () => {
    if (open) shim.close(input[1]);
    open = false;
  };
  const done = child.status;
  const outcome = async () => {
    closeInput();
    const [{ exitCode }, text] = await Promise.all([done, errText]);
    const lines = text.split("\n").filter(Boolean);
    for (const l of lines.filter((l) => l.startsWith("warning: "))) options.onWarning?.(l.slice(9));
    if (exitCode !== 0) {
      const why = lines.filter((l) => !l.startsWith("warning: ")).join("; ") ||
        `exit code ${exitCode}`;
      throw new NookError(why);
    }
  };
  return {
    async write(chunk) {
      for (let at = 0; at < chunk.length;) {
        const n = await shim.write(input[1], chunk.subarray(at));
        if (n < 0) return await outcome(); // EPIPE: the child stopped; say why
        at += n;
      }
    },
    finish: outcome,
    async abort() {
      child.kill("SIGKILL");
      await outcome().catch(() => {});
    },
  };
}
