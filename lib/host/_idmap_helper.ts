import type { Host } from "./host.ts";

/** The setuid helpers of shadow-utils that write id maps. */
export type IdmapHelperName = "newuidmap" | "newgidmap";

/** What was found about one helper. */
export interface IdmapHelper {
  name: IdmapHelperName;
  /** Absolute path, `null` when not on PATH. */
  path: string | null;
  /** It can write maps: setuid root, or the file capability it needs. */
  usable: boolean;
  /** How it is privileged or why it is not, e.g. "setuid root". */
  detail: string;
}

/** The capability each helper needs when it is not setuid root. */
export function helperCapability(name: IdmapHelperName): string {
  return name === "newuidmap" ? "cap_setuid" : "cap_setgid";
}

/** Finds a helper and tells whether it is privileged enough to write maps. */
export async function inspectIdmapHelper(host: Host, name: IdmapHelperName): Promise<IdmapHelper> {
  const path = await host.which(name);
  if (path === null) return { name, path, usable: false, detail: "not found on PATH" };
  const stat = await host.stat(path);
  if (stat?.setuid && stat.uid === 0) return { name, path, usable: true, detail: "setuid root" };
  const cap = helperCapability(name);
  const caps = await host.fileCapabilities(path);
  if (caps === null) {
    return {
      name,
      path,
      usable: false,
      detail: "not setuid root, and getcap is not installed to read its file capabilities",
    };
  }
  if (new RegExp(`\\b${cap}\\b`).test(caps)) return { name, path, usable: true, detail: caps };
  return { name, path, usable: false, detail: `neither setuid root nor has ${cap}` };
}
