/**
 * The fuse-overlayfs driver: the same layout as the overlay driver (image
 * layers as lower directories, a per-container upper and work directory),
 * mounted by the `fuse-overlayfs` program, which the container's first
 * process runs inside its user and mount namespaces before it enters the
 * root. The FUSE daemon stays behind in the container's PID namespace, so it
 * dies with the container, and in a mount namespace of its own (the
 * container moves on to a copy), so the container's pivot_root leaves the
 * daemon's root alone.
 *
 * fuse-overlayfs (1.10) reads the lower layers as nook unpacks them:
 * character devices 0:0 are whiteouts, `user.overlay.opaque=y` marks an
 * opaque directory. In the upper directory it writes its own
 * `user.fuseoverlayfs.opaque`, which only it reads.
 *
 * @module
 */
import { Op, RunFailure } from "../../shim/protocol.ts";
import { NookError, SetupError } from "../errors/mod.ts";
import type { RootfsSetup } from "../runtime/container_spec.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import { sys } from "../sys/sys.ts";

/** Options of {@linkcode fuseOverlayRootfs}. */
export interface FuseOverlayOptions {
  /** Layer directories, bottom first (as the image lists them). */
  layers: readonly string[];
  /** The container's directory: upper/, work/ and merged/ are made in it. */
  containerDir: string;
  /** Absolute path of the fuse-overlayfs program. */
  program: string;
}

/** Characters fuse-overlayfs's option string cannot carry in a path. */
const UNSAFE = /[,:\\]/;

/**
 * Plans a fuse-overlayfs root for a container.
 *
 * @param options The layers, the container directory and the program.
 * @returns The rootfs path and the step that mounts it.
 * @throws {RangeError} Without layers.
 * @throws {NookError} When a path holds ',', ':' or '\'.
 *
 * @example
 * ```ts
 * import { fuseOverlayRootfs } from "./fuse_overlay.ts";
 * const dir = Deno.makeTempDirSync();
 * const { setup } = fuseOverlayRootfs({
 *   layers: ["/l/1", "/l/2"],
 *   containerDir: dir,
 *   program: "/usr/bin/fuse-overlayfs",
 * });
 * console.assert(String(setup.steps[0].s?.[2]?.[2]).startsWith("lowerdir=/l/2:/l/1,"));
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function fuseOverlayRootfs(
  options: FuseOverlayOptions,
): { rootfs: string; setup: RootfsSetup } {
  if (options.layers.length === 0) throw new RangeError("Cannot mount an overlay without layers");
  const dir = options.containerDir;
  const lowers = [...options.layers].reverse(); // top layer first, as overlayfs
  for (const path of [...lowers, dir]) {
    if (UNSAFE.test(path)) {
      throw new NookError(
        `Cannot mount '${path}' with fuse-overlayfs: its options cannot carry ',', ':' or '\\' ` +
          "in a path; move the nook data directory (NOOK_ROOT) or use --storage-driver=vfs",
      );
    }
  }
  for (const d of ["upper", "work", "merged"]) {
    sys.mkdirp(`${dir}/${d}`, 0o755);
  }
  // allow_other: the container's users are not the mounting user (root in the namespace);
  // default_permissions: the kernel checks modes and owners (the daemon may do anything).
  const opts = `lowerdir=${lowers.join(":")},upperdir=${dir}/upper,workdir=${dir}/work,` +
    "allow_other,default_permissions";
  const argv = [options.program, "-o", opts, `${dir}/merged`];
  const env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];
  return {
    rootfs: `${dir}/merged`,
    setup: {
      steps: [
        { op: Op.RUN, n: [argv.length, env.length], s: [options.program, null, argv, env] },
        // The daemon stays in this mount namespace; the container's pivot_root happens in a
        // copy. Else pivot_root would make the daemon's own root its FUSE mount, and it
        // (single-threaded) would wait on itself.
        { op: Op.UNSHARE, n: [CloneFlag.NEWNS] },
      ],
      describe: [
        `mount the fuse-overlayfs of ${lowers.length} layers on ${dir}/merged`,
        "leave the mount namespace of the fuse-overlayfs daemon",
      ],
    },
  };
}

/**
 * Words for a failed `Op.RUN` step: the helper's exit status or signal (the
 * shim reports them above the errno range), else nothing.
 *
 * @param err What spawning the container threw.
 * @param setup The setup the error may come from.
 * @returns A clearer error for a failed helper, else `err` itself.
 *
 * @example
 * ```ts
 * import { explainRunFailure } from "./fuse_overlay.ts";
 * import { SetupError } from "../errors/mod.ts";
 * const setup = { steps: [], describe: ["mount x"] };
 * const err = new SetupError("mount x: errno 65537", { step: "mount x", errno: 0x10001 });
 * console.assert((explainRunFailure(err, setup) as Error).message.endsWith("exited with status 1"));
 * ```
 */
export function explainRunFailure(err: unknown, setup: RootfsSetup): unknown {
  if (!(err instanceof SetupError) || !setup.describe.includes(err.step)) return err;
  const program = String(setup.steps[setup.describe.indexOf(err.step)]?.s?.[0] ?? "the helper")
    .split("/").at(-1);
  let why: string;
  if (err.errno >= RunFailure.SIGNALED) why = `killed by signal ${err.errno - RunFailure.SIGNALED}`;
  else if (err.errno >= RunFailure.EXITED) {
    why = `exited with status ${err.errno - RunFailure.EXITED}`;
  } else return err;
  return new SetupError(`${err.step}: ${program} ${why}`, {
    step: err.step,
    errno: err.errno,
    cause: err,
  });
}
