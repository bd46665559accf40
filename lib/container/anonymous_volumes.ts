/**
 * The image's `VOLUME`s as anonymous volumes, as docker makes them: a
 * directory per volume in the container's directory, filled with what the
 * image has at that path (copied as root in the user namespace, owners kept),
 * bound over the path. They go with the container (`--rm`).
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import type { MountSpec } from "../runtime/mount_spec.ts";
import { spawnPlanned } from "../runtime/spawn_process.ts";
import { planVfsCopy } from "../storage/vfs.ts";
import { sys } from "../sys/mod.ts";
import { chooseIdMaps } from "../userns/mod.ts";

/**
 * The layer subdirectories that make up `path` in the image, bottom first: a
 * whiteout or an opaque directory at the path or above it hides the layers
 * below.
 *
 * @param layers Layer directories, bottom first.
 * @param path An absolute path in the image.
 * @returns The directories to copy, in order.
 *
 * @example
 * ```ts ignore
 * volumeSources(["/l/1", "/l/2"], "/data"); // ["/l/1/data", "/l/2/data"]
 * ```
 */
export function volumeSources(layers: readonly string[], path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  const shim = loadShim();
  let sources: string[] = [];
  for (const layer of layers) {
    for (let i = 1; i <= parts.length; i++) {
      const p = `${layer}/${parts.slice(0, i).join("/")}`;
      const st = sys.lstat(p);
      if (!st) break;
      if (!st.isDirectory) {
        sources = []; // a whiteout, or a file where the image had a directory
        break;
      }
      const opaque = shim.lgetxattr(p, "user.overlay.opaque");
      if (typeof opaque !== "number" && opaque[0] === 0x79) sources = [];
    }
    if (sys.lstat(`${layer}/${parts.join("/")}`)?.isDirectory) {
      sources.push(`${layer}/${parts.join("/")}`);
    }
  }
  return sources;
}

/**
 * Makes the anonymous volumes of an image for a container.
 *
 * @param volumes The image's `Volumes` paths.
 * @param layers Its layer directories, bottom first.
 * @param containerDir The container's directory.
 * @param taken Container paths the user already mounts something on (those are skipped).
 * @returns Bind mounts to add to the container.
 *
 * @example
 * ```ts ignore
 * const mounts = await anonymousVolumes(["/data"], layers, dir, new Set());
 * ```
 */
export async function anonymousVolumes(
  volumes: readonly string[],
  layers: readonly string[],
  containerDir: string,
  taken: ReadonlySet<string>,
): Promise<MountSpec[]> {
  const mounts: MountSpec[] = [];
  for (const [i, path] of volumes.entries()) {
    const target = "/" + path.split("/").filter(Boolean).join("/");
    if (taken.has(target)) continue;
    const dir = `${containerDir}/volumes/${i}`;
    if (sys.lstat(dir)) { // made at an earlier start: keep its data
      mounts.push({ type: "bind", source: dir, target, readOnly: false });
      continue;
    }
    sys.mkdirp(dir, 0o755);
    const sources = volumeSources(layers, target);
    if (sources.length) {
      const child = await spawnPlanned(
        planVfsCopy(sources, dir),
        chooseIdMaps({ onWarning: () => {} }),
      );
      await child.status;
    }
    mounts.push({ type: "bind", source: dir, target, readOnly: false });
  }
  return mounts;
}
