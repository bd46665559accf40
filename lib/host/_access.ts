import type { Host } from "./host.ts";

/** Which permissions {@linkcode canAccess} asks for. */
export interface AccessWanted {
  read?: boolean;
  write?: boolean;
}

async function supplementaryGroups(host: Host): Promise<number[]> {
  const status = await host.readTextFile("/proc/self/status") ?? "";
  const line = status.split("\n").find((l) => l.startsWith("Groups:"));
  return (line?.slice("Groups:".length).trim().split(/\s+/) ?? [])
    .filter((g) => g !== "")
    .map(Number);
}

/**
 * Whether this process may read and/or write a path, from its owner, group
 * and mode bits (uid 0 may do both). ACLs and read-only mounts are not seen:
 * Deno has no access(2), and its node:fs access() is the same computation.
 */
export async function canAccess(host: Host, path: string, want: AccessWanted): Promise<boolean> {
  const stat = await host.stat(path);
  if (stat === null) return false;
  const uid = host.uid();
  if (uid === 0) return true;
  let shift = 0;
  if (stat.uid === uid) shift = 6;
  else if (stat.gid === host.gid() || (await supplementaryGroups(host)).includes(stat.gid)) {
    shift = 3;
  }
  const bits = (stat.mode >> shift) & 0o7;
  return (!want.read || (bits & 0o4) !== 0) && (!want.write || (bits & 0o2) !== 0);
}
