/**
 * The overlay driver: image layers as read-only lower directories, a
 * per-container upper and work directory, mounted by the container itself
 * inside its user namespace (kernel overlayfs, `userxattr`).
 *
 * Kernels from 6.8 take the layers one by one (`lowerdir+`), up to
 * overlayfs's 500; older ones take all options in one page, which holds
 * about 40 layers of nook's paths: there the planner refuses more at once,
 * saying so, instead of letting the mount fail.
 *
 * @module
 */
import { Op } from "../../shim/protocol.ts";
import { NookError } from "../errors/mod.ts";
import type { RootfsSetup } from "../runtime/container_spec.ts";
import { sys } from "../sys/mod.ts";

/** Options of {@linkcode overlayRootfs}. */
export interface OverlayOptions {
  /** Layer directories, bottom first (as the image lists them). */
  layers: readonly string[];
  /** The container's directory: upper/, work/ and merged/ are made in it. */
  containerDir: string;
  /** The kernel release (default: this host's); before 6.8 the options must fit one page. */
  kernel?: string;
}

/** The longest option string `mount(2)` takes: one page, less the final NUL. */
export const OVERLAY_OPTIONS_MAX = 4095;

/**
 * The length of the one-string overlay options (`lowerdir=..,upperdir=..,
 * workdir=..,userxattr`) that kernels before 6.8 need.
 *
 * @param lowers The lower directories.
 * @param upper The upper directory.
 * @param work The work directory.
 * @returns Its length in bytes.
 *
 * @example
 * ```ts
 * import { overlayOptionsLength } from "./overlay.ts";
 * console.assert(overlayOptionsLength(["/a", "/b"], "/u", "/w") === 47);
 * ```
 */
export function overlayOptionsLength(
  lowers: readonly string[],
  upper: string,
  work: string,
): number {
  const text = `lowerdir=${lowers.join(":")},upperdir=${upper},workdir=${work},userxattr`;
  return new TextEncoder().encode(text).length;
}

/**
 * Whether a kernel predates overlayfs's `lowerdir+` (6.8), so that all
 * options must fit one page; an unreadable release counts as new.
 *
 * @param release The kernel release, e.g. "6.5.0-1-amd64".
 * @returns True before 6.8.
 *
 * @example
 * ```ts
 * import { kernelBeforeLowerdirPlus } from "./overlay.ts";
 * console.assert(kernelBeforeLowerdirPlus("6.5.0") && !kernelBeforeLowerdirPlus("6.8.1"));
 * ```
 */
export function kernelBeforeLowerdirPlus(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major < 6 || (major === 6 && minor < 8);
}

/**
 * Plans an overlay root for a container.
 *
 * @param options The layers, the container directory and the kernel.
 * @returns The rootfs path and the step that mounts it.
 * @throws {RangeError} Without layers.
 * @throws {NookError} When the kernel predates 6.8 and the layers do not fit in one page.
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
  const lowers = [...options.layers].reverse(); // overlayfs lists the top layer first
  const kernel = options.kernel ?? sys.osRelease();
  const length = overlayOptionsLength(lowers, `${dir}/upper`, `${dir}/work`);
  if (kernelBeforeLowerdirPlus(kernel) && length > OVERLAY_OPTIONS_MAX) {
    throw new NookError(
      `Cannot mount the overlay of ${lowers.length} layers: kernel ${kernel} takes the layers ` +
        `in one option string of at most ${OVERLAY_OPTIONS_MAX} bytes, these need ${length} ` +
        "(kernel 6.8 takes them one by one); use --storage-driver=fuse-overlayfs or vfs",
    );
  }
  for (const d of ["upper", "work", "merged"]) {
    sys.mkdirp(`${dir}/${d}`, 0o755);
  }
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
