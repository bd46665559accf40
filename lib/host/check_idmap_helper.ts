/**
 * Check the setuid helpers that map subordinate ids.
 *
 * @module
 */
import type { Check } from "./check.ts";
import type { Host } from "./host.ts";
import { helperCapability, type IdmapHelperName, inspectIdmapHelper } from "./_idmap_helper.ts";

export type { IdmapHelperName } from "./_idmap_helper.ts";

/**
 * Checks that `newuidmap` (or `newgidmap`) is on PATH and setuid root or has
 * the file capability it needs. Without it nook maps only the user's own id,
 * a warning.
 *
 * @param host The host to read.
 * @param name `"newuidmap"` or `"newgidmap"`; also the check id.
 * @returns The check.
 *
 * @example Missing helper
 * ```ts
 * import { checkIdmapHelper } from "./check_idmap_helper.ts";
 * import { fakeHost } from "./fake_host.ts";
 * const check = await checkIdmapHelper(fakeHost(), "newuidmap");
 * console.assert(check.status === "warn" && check.fix === "sudo apt-get install uidmap");
 * ```
 */
export async function checkIdmapHelper(host: Host, name: IdmapHelperName): Promise<Check> {
  const base = { id: name, title: `${name} (shadow-utils)` };
  const helper = await inspectIdmapHelper(host, name);
  const kind = name === "newuidmap" ? "uid" : "gid";
  const fallback = `nook maps only your own ${kind}`;
  if (helper.path === null) {
    return {
      ...base,
      status: "warn",
      detail: `not found on PATH: ${fallback}`,
      fix: "sudo apt-get install uidmap",
    };
  }
  if (helper.usable) return { ...base, status: "ok", detail: `${helper.path} (${helper.detail})` };
  return {
    ...base,
    status: "warn",
    detail: `${helper.path} is ${helper.detail}: ${fallback}`,
    fix: `sudo setcap ${helperCapability(name)}+ep ${helper.path}` +
      ` (or: sudo chmod u+s ${helper.path})`,
  };
}
