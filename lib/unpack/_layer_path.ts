/**
 * Entry names to paths inside the layer, cleaned the way docker cleans them.
 *
 * @module
 */

/**
 * Cleans an entry name (or hardlink target) to a path relative to the layer
 * root: empty and `.` components go, `..` removes the component before it,
 * and a leading `/` is dropped. Docker does the same (`filepath.Clean`, then
 * a join under the layer directory): absolute names are relative to the
 * layer. A `..` that would climb above the root makes the name unsafe,
 * whether the name was absolute or not (docker lets `/../x` through as `x`;
 * nook refuses it).
 *
 * Cleaning is lexical: `a/../b` is `b` even when `a` is a symlink. That is
 * right here because nothing resolves the raw name: the unpacker joins the
 * cleaned path to the layer directory and checks every component with lstat.
 *
 * @param name The name as written in the archive.
 * @returns The components joined with `/` (`""` for the root), or null when
 *   the name points outside the layer.
 */
export function cleanEntryName(name: string): string | null {
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.join("/");
}

/**
 * The parent of a cleaned path.
 *
 * @param path A path from {@linkcode cleanEntryName}.
 * @returns Its parent (`""` for the root).
 */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/**
 * The last component of a cleaned path.
 *
 * @param path A path from {@linkcode cleanEntryName}.
 * @returns Its base name (`""` for the root).
 */
export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
