/**
 * Resolves a container path to a host path beneath the rootfs, following
 * symlinks as the container would see them: an absolute link restarts at the
 * rootfs, `..` stops at it. Used for what nook reads from a rootfs on the host
 * side (/etc/passwd, /etc/group); mounts are resolved by the shim with openat2.
 *
 * @module
 */
import { sys } from "../sys/mod.ts";

/**
 * The host path of container path `path` in `root`, every symlink resolved
 * inside `root`.
 *
 * @param root The rootfs directory on the host.
 * @param path A path inside the container.
 * @returns A host path that is `root` or beneath it (it may not exist).
 * @throws {Error} With ELOOP wording after 40 links.
 *
 * @example A link to /etc/passwd stays in the rootfs
 * ```ts ignore
 * import { resolveInRoot } from "./in_root.ts";
 * resolveInRoot("/tmp/rootfs", "/data"); // "/tmp/rootfs/etc" when /data -> /etc
 * ```
 */
export function resolveInRoot(root: string, path: string): string {
  const todo = path.split("/").filter((p) => p && p !== ".");
  const done: string[] = [];
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === "..") {
      done.pop();
      continue;
    }
    const host = `${root}/${[...done, part].join("/")}`;
    if (sys.lstat(host)?.isSymlink) {
      if (++links > 40) throw new Error(`Cannot resolve '${path}' in '${root}': too many symlinks`);
      const target = sys.readLink(host);
      if (target.startsWith("/")) done.length = 0;
      todo.unshift(...target.split("/").filter((p) => p && p !== "."));
      continue;
    }
    done.push(part);
  }
  return done.length ? `${root}/${done.join("/")}` : root;
}
