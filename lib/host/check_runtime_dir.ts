/**
 * Check the runtime directory.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import { inspectRuntimeDir } from "./inspect_runtime_dir.ts";

/**
 * Checks that `$XDG_RUNTIME_DIR` is a directory owned by the user with mode
 * 0700 (nook then uses `$XDG_RUNTIME_DIR/nook`); otherwise warns that nook
 * uses `/tmp/nook-<uid>`.
 *
 * @param host The host to read.
 * @returns The `runtime-dir` check.
 *
 * @example
 * ```ts
 * import { checkRuntimeDir } from "./check_runtime_dir.ts";
 * import { fakeHost } from "./fake_host.ts";
 * const host = fakeHost({
 *   uid: 1000,
 *   env: { XDG_RUNTIME_DIR: "/run/user/1000" },
 *   stats: { "/run/user/1000": { isFile: false, isDirectory: true, uid: 1000, mode: 0o700 } },
 * });
 * console.assert((await checkRuntimeDir(host)).status === "ok");
 * ```
 */
export async function checkRuntimeDir(host: Host): Promise<Check> {
  const base = { id: "runtime-dir", title: "Runtime directory" };
  const dir = await inspectRuntimeDir(host);
  if (dir.problem === null) return { ...base, status: "ok", detail: dir.path };
  const env = host.env("XDG_RUNTIME_DIR");
  const stat = env ? await host.stat(env) : null;
  const user = host.userName() ?? String(host.uid());
  const fix = stat?.isDirectory && stat.uid === host.uid()
    ? `chmod 0700 ${env}`
    : `export XDG_RUNTIME_DIR=/run/user/${host.uid()} ` +
      `(it exists in a login session; for other sessions: sudo loginctl enable-linger ${user})`;
  return { ...base, status: "warn", detail: `${dir.problem}: nook uses ${dir.path}`, fix };
}
