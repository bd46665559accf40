/**
 * Whether `$XDG_RUNTIME_DIR` is fit for nook's runtime state (sockets, pid
 * files, mounts), for `nook system check` and `nook info`. It only reads;
 * `lib/paths` creates the directory.
 *
 * @module
 */
import type { Host } from "./host.ts";

/** What {@linkcode inspectRuntimeDir} decided. */
export interface RuntimeDirInfo {
  /** The directory nook uses: `$XDG_RUNTIME_DIR/nook`, or `/tmp/nook-<uid>`. */
  path: string;
  /** Why `$XDG_RUNTIME_DIR` is not used, or `null` when it is. */
  problem: string | null;
}

/**
 * Picks the runtime directory: `$XDG_RUNTIME_DIR/nook` when the variable is
 * set and names a directory owned by the user with mode 0700, else
 * `/tmp/nook-<uid>` (as podman falls back to `/tmp/podman-run-<uid>`). It
 * does not create it.
 *
 * @param host The host to read.
 * @returns The path and, for the fallback, why.
 *
 * @example
 * ```ts
 * import { fakeHost } from "./fake_host.ts";
 * import { inspectRuntimeDir } from "./inspect_runtime_dir.ts";
 * const dir = await inspectRuntimeDir(fakeHost({ uid: 1000 }));
 * console.assert(dir.path === "/tmp/nook-1000" && dir.problem === "XDG_RUNTIME_DIR is not set");
 * ```
 */
export async function inspectRuntimeDir(host: Host): Promise<RuntimeDirInfo> {
  const uid = host.uid();
  const fallback = (problem: string): RuntimeDirInfo => ({ path: `/tmp/nook-${uid}`, problem });
  const env = host.env("XDG_RUNTIME_DIR");
  if (env === undefined || env === "") return fallback("XDG_RUNTIME_DIR is not set");
  const stat = await host.stat(env);
  if (stat === null) return fallback(`XDG_RUNTIME_DIR '${env}' does not exist`);
  if (!stat.isDirectory) return fallback(`XDG_RUNTIME_DIR '${env}' is not a directory`);
  if (stat.uid !== uid) {
    return fallback(
      `XDG_RUNTIME_DIR '${env}' is owned by uid ${stat.uid}, not by you (uid ${uid})`,
    );
  }
  const perm = stat.mode & 0o777;
  if (perm !== 0o700) {
    return fallback(
      `XDG_RUNTIME_DIR '${env}' has mode ${perm.toString(8).padStart(4, "0")}, not 0700`,
    );
  }
  return { path: `${env}/nook`, problem: null };
}
