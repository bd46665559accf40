/**
 * The overlay driver: image layers as read-only lower directories, a
 * per-container upper and work directory, mounted by the container itself
 * inside its user namespace (kernel overlayfs, `userxattr`).
 *
 * @module
 */
import { Op } from "../../shim/protocol.ts";
import type { RootfsSetup } from "../runtime/container_spec.ts";

/** Options of {@linkcode overlayRootfs}. */
export interface OverlayOptions {
  /** Layer directories, bottom first (as the image lists them). */
  layers: readonly string[];
  /** The container's directory: upper/, work/ and merged/ are made in it. */
  containerDir: string;
}

/**
 * Plans an overlay root for a container.
 *
 * @param options The layers and the container directory.
 * @returns The rootfs path and the step that mounts it.
 * @throws {RangeError} Without layers.
 *
 * @example
 * ```ts
 * import { overlayRootfs } from "./overlay.ts";
 * const dir = Deno.makeTempDirSync();
 * const { rootfs, setup } = overlayRootfs({ layers: ["/l/1", "/l/2"], containerDir: dir });
 * console.assert(rootfs === `${dir}/merged` && setup.steps[0].s?.[2]?.[0] === "/l/2");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function overlayRootfs(options: OverlayOptions): { rootfs: string; setup: RootfsSetup } {
  if (options.layers.length === 0) throw new RangeError("Cannot mount an overlay without layers");
  const dir = options.containerDir;
  for (const d of ["upper", "work", "merged"]) {
    Deno.mkdirSync(`${dir}/${d}`, { recursive: true, mode: 0o755 });
  }
  const lowers = [...options.layers].reverse(); // overlayfs lists the top layer first
  return {
    rootfs: `${dir}/merged`,
    setup: {
      steps: [{
        op: Op.OVERLAY,
        n: [lowers.length],
        s: [`${dir}/upper`, `${dir}/work`, lowers, `${dir}/merged`],
      }],
      describe: [`mount the overlay of ${lowers.length} layers on ${dir}/merged`],
    },
  };
}
