/**
 * One entry point over the storage drivers: a container's rootfs from its
 * image's layers, by the chosen driver, behind one table.
 *
 * @module
 */
import { NookError, SetupError } from "../errors/mod.ts";
import type { RootfsSetup } from "../runtime/container_spec.ts";
import { sys } from "../sys/mod.ts";
import type { StorageChoice } from "./choose_storage_driver.ts";
import { explainRunFailure, fuseOverlayRootfs } from "./fuse_overlay.ts";
import {
  kernelBeforeLowerdirPlus,
  OVERLAY_OPTIONS_MAX,
  overlayOptionsLength,
  overlayRootfs,
} from "./overlay.ts";
import type { StorageDriverName } from "./storage_driver.ts";
import { vfsRootfs } from "./vfs.ts";

/** Options of {@linkcode prepareRootfs}. */
export interface PrepareRootfsOptions {
  /** Layer directories, bottom first (as the image lists them). */
  layers: readonly string[];
  /** The container's own directory (its files are made in it). */
  containerDir: string;
}

/** A rootfs ready for the runtime. */
export interface PreparedRootfs {
  /** The rootfs directory on the host. */
  rootfs: string;
  /** Steps that make it inside the container's namespaces (overlay, fuse-overlayfs). */
  setup?: RootfsSetup;
  /** Turns an error of the container's start into clearer words where the driver knows more. */
  explain(err: unknown): unknown;
}

const E2BIG = 7;
const EINVAL = 22;
/** The deepest stack overlayfs mounts (FILESYSTEM_MAX_STACK_DEPTH ... OVL_MAX_STACK). */
const OVERLAY_MAX_LAYERS = 500;

/**
 * An overlay mount with more layers than overlayfs stacks, or one that fell back to one
 * option page (kernels before 6.8) and overflowed it.
 */
function explainOverlay(err: unknown, setup: RootfsSetup): unknown {
  if (!(err instanceof SetupError) || !setup.describe.includes(err.step)) return err;
  const [upper, work, lowers] = setup.steps[0].s as [string, string, string[]];
  if (err.errno === EINVAL && lowers.length > OVERLAY_MAX_LAYERS) {
    return new SetupError(
      `${err.step}: overlayfs stacks at most ${OVERLAY_MAX_LAYERS} layers, this image has ` +
        `${lowers.length}; use --storage-driver=fuse-overlayfs or vfs`,
      { step: err.step, errno: err.errno, cause: err },
    );
  }
  if (err.errno !== E2BIG) return err;
  const length = overlayOptionsLength(lowers, upper, work);
  const before = kernelBeforeLowerdirPlus(sys.osRelease())
    ? "this kernel takes the layers"
    : "the kernel refused adding the layers one by one, and the fallback takes them";
  return new SetupError(
    `${err.step}: ${before} in one option string of at most ${OVERLAY_OPTIONS_MAX} bytes, ` +
      `these need ${length}; use --storage-driver=fuse-overlayfs or vfs`,
    { step: err.step, errno: err.errno, cause: err },
  );
}

const DRIVERS: Record<
  StorageDriverName,
  (options: PrepareRootfsOptions, choice: StorageChoice) => Promise<PreparedRootfs>
> = {
  overlay(options) {
    const { rootfs, setup } = overlayRootfs(options);
    return Promise.resolve({ rootfs, setup, explain: (err) => explainOverlay(err, setup) });
  },
  "fuse-overlayfs"(options, choice) {
    if (!choice.fuseProgram) {
      throw new NookError("Cannot use the storage driver 'fuse-overlayfs': no program was found");
    }
    const { rootfs, setup } = fuseOverlayRootfs({ ...options, program: choice.fuseProgram });
    return Promise.resolve({ rootfs, setup, explain: (err) => explainRunFailure(err, setup) });
  },
  async vfs(options) {
    return { rootfs: await vfsRootfs(options), explain: (err) => err };
  },
};

/**
 * Makes a container's rootfs from image layers with the chosen driver.
 *
 * @param choice The driver (from {@linkcode chooseStorageDriver}).
 * @param options The layers and the container directory.
 * @returns The rootfs, the steps that mount it, and an error explainer.
 * @throws {NookError} When the rootfs cannot be planned or copied.
 *
 * @example
 * ```ts ignore
 * const choice = await chooseStorageDriver();
 * const { rootfs, setup } = await prepareRootfs(choice, { layers, containerDir });
 * ```
 */
export async function prepareRootfs(
  choice: StorageChoice,
  options: PrepareRootfsOptions,
): Promise<PreparedRootfs> {
  return await DRIVERS[choice.driver](options, choice);
}
