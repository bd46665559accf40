/**
 * Where nook keeps things: persistent data under `$XDG_DATA_HOME/nook` (or
 * `NOOK_ROOT`), runtime state under `$XDG_RUNTIME_DIR/nook`.
 *
 * @module
 */
import { NookError } from "../errors/nook_error.ts";
import { sys } from "../sys/mod.ts";

/**
 * The data directory: `NOOK_ROOT`, else `$XDG_DATA_HOME/nook`, else
 * `~/.local/share/nook`.
 *
 * @returns An absolute path (not created).
 *
 * @example
 * ```ts
 * import { dataDir } from "./dirs.ts";
 * console.assert(dataDir().startsWith("/"));
 * ```
 */
export function dataDir(): string {
  const root = sys.env("NOOK_ROOT");
  if (root) return root;
  const xdg = sys.env("XDG_DATA_HOME");
  if (xdg) return `${xdg}/nook`;
  const home = sys.env("HOME") || `/tmp/nook-home-${sys.uid()}`;
  return `${home}/.local/share/nook`;
}

/**
 * The runtime directory, created 0700 when missing: `NOOK_RUNROOT` (the
 * global `--runroot`) when set, else `$XDG_RUNTIME_DIR/nook`, or
 * `/tmp/nook-<uid>` where no XDG_RUNTIME_DIR is set (as podman does). It must
 * be ours and private, else it is refused.
 *
 * @returns An absolute path of an existing directory only this user can use.
 * @throws {NookError} When it is not a directory, belongs to another user or
 * is open to others (the message names which, and the fix).
 *
 * @example
 * ```ts
 * import { runtimeDir } from "./dirs.ts";
 * console.assert(runtimeDir().includes("nook"));
 * ```
 */
export function runtimeDir(): string {
  const xdg = sys.env("XDG_RUNTIME_DIR");
  const uid = sys.uid();
  const dir = sys.env("NOOK_RUNROOT") ||
    (xdg && sys.stat(xdg)?.isDirectory ? `${xdg}/nook` : `/tmp/nook-${uid}`);
  let st = sys.lstat(dir);
  if (!st) {
    try {
      sys.mkdirp(dir, 0o700);
    } catch (err) {
      if (!sys.lstat(dir)) throw err;
    }
    st = sys.lstat(dir);
  }
  const why = !st || !st.isDirectory
    ? "is not a directory"
    : st.uid !== uid
    ? `belongs to uid ${st.uid}, not to you (uid ${uid})`
    : (st.mode & 0o077) !== 0
    ? `is open to others (mode 0${(st.mode & 0o777).toString(8)})`
    : "";
  if (why) {
    const fix = st?.isDirectory && st.uid === uid ? `run 'chmod 700 ${dir}', or ` : "";
    throw new NookError(
      `Runtime directory '${dir}' ${why}: nook keeps its state only in a private directory; ` +
        `${fix}set NOOK_RUNROOT (--runroot) or XDG_RUNTIME_DIR to a directory of yours with ` +
        "mode 0700",
    );
  }
  return dir;
}
