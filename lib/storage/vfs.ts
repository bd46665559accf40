/**
 * The vfs driver: the container's rootfs is a full copy of the image, made
 * by applying each layer in order (whiteouts delete, opaque directories hide
 * what is below) as root in the user's user namespace, so owners stay the
 * subordinate ids they are in the layers. The copy runs in the shim
 * (`Op.COPY_LAYER`) in a child where every mount is read-only except the new
 * rootfs: the kernel keeps the copy inside it.
 *
 * @module
 */
import { Op, StepFlag } from "../../shim/protocol.ts";
import { CloneFlag } from "../runtime/defaults.ts";
import type { Plan } from "../runtime/plan_steps.ts";
import { spawnPlanned } from "../runtime/spawn_process.ts";
import { NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";

/** Options of {@linkcode vfsRootfs}. */
export interface VfsOptions {
  /** Layer directories, bottom first (as the image lists them). */
  layers: readonly string[];
  /** The container's directory: rootfs/ is made in it. */
  containerDir: string;
}

const MOUNT_ATTR_RDONLY = 0x1;
const SIGKILL = 9;

/**
 * Plans the copy of `layers` into `rootfs` (an existing empty directory).
 *
 * @param layers Layer directories, bottom first.
 * @param rootfs The target directory.
 * @returns The plan: one `Op.COPY_LAYER` step per layer, behind a read-only host.
 *
 * @example
 * ```ts
 * import { planVfsCopy } from "./vfs.ts";
 * const plan = planVfsCopy(["/l/1", "/l/2"], "/c/rootfs");
 * console.assert(plan.program.steps.at(-1)?.s?.[0] === "/l/2");
 * ```
 */
export function planVfsCopy(layers: readonly string[], rootfs: string): Plan {
  const copies = layers.map((layer) => ({ op: Op.COPY_LAYER, s: [layer, rootfs] }));
  return {
    program: {
      cloneFlags: CloneFlag.NEWUSER | CloneFlag.NEWNS,
      steps: [
        { op: Op.PDEATHSIG, n: [SIGKILL] },
        { op: Op.MOUNT_PRIVATE },
        // the rootfs on itself, then every mount read-only, then the rootfs writable again
        { op: Op.ENTER_ROOT, s: [rootfs] },
        { op: Op.MOUNT_ATTR, flags: StepFlag.RECURSIVE, n: [MOUNT_ATTR_RDONLY, 0], s: [null, "/"] },
        { op: Op.MOUNT_ATTR, n: [0, MOUNT_ATTR_RDONLY], s: [null, rootfs] },
        ...copies,
      ],
    },
    describe: [
      "set the parent-death signal",
      "make the mounts private",
      `bind ${rootfs} on itself`,
      "make the host read-only",
      `make ${rootfs} writable`,
      ...layers.map((layer, i) =>
        `copy layer ${i + 1} of ${layers.length} (${layer}) into ${rootfs}`
      ),
    ],
  };
}

/**
 * Makes a container's rootfs as a full copy of its image's layers.
 *
 * @param options The layers and the container directory.
 * @returns The rootfs directory.
 * @throws {RangeError} Without layers.
 * @throws {SetupError} When a copy step fails (it names the layer).
 *
 * @example
 * ```ts ignore
 * const rootfs = await vfsRootfs({ layers: ["/l/1/diff"], containerDir: "/c/x" });
 * ```
 */
export async function vfsRootfs(options: VfsOptions): Promise<string> {
  if (options.layers.length === 0) throw new RangeError("Cannot copy an image without layers");
  const rootfs = `${options.containerDir}/rootfs`;
  // A container started again keeps its copy (and what it changed there).
  const done = `${options.containerDir}/rootfs.copied`;
  if (sys.lstat(done)) return rootfs;
  sys.mkdirp(rootfs, 0o755);
  sys.chmod(rootfs, 0o755); // a rootfs's / is 0755, whatever the umask
  const child = await spawnPlanned(
    planVfsCopy(options.layers, rootfs),
    chooseIdMaps({ onWarning: () => {} }),
  );
  const { exitCode } = await child.status;
  if (exitCode !== 0) {
    throw new NookError(`Cannot copy the image into '${rootfs}': exit code ${exitCode}`);
  }
  sys.writeText(done, "");
  return rootfs;
}
