/**
 * Writes a planned id map into a child's user namespace: through the setuid
 * helpers newuidmap/newgidmap for subordinate ranges, or directly for the
 * single mapping (which needs setgroups denied first).
 *
 * @module
 */
import { HostError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import type { IdMapping, IdMapPlan } from "./id_map.ts";

function flat(maps: IdMapping[]): string[] {
  return maps.flatMap((m) => [String(m.inside), String(m.outside), String(m.count)]);
}

async function helper(tool: string, pid: number, maps: IdMapping[]): Promise<void> {
  let result;
  try {
    result = await sys.run(tool, [String(pid), ...flat(maps)]);
  } catch (err) {
    throw new HostError(
      `Cannot run '${tool}' to map the container's ids: ${(err as Error).message} ` +
        "(install the 'uidmap' package)",
    );
  }
  if (result.code !== 0) {
    const why = result.stderr.trim().split("\n").pop() || `exit code ${result.code}`;
    throw new HostError(`'${tool} ${pid} ${flat(maps).join(" ")}' failed: ${why}`);
  }
}

/**
 * Writes the uid and gid maps of the user namespace of process `pid`.
 *
 * @param pid The child, blocked before its first step.
 * @param plan The maps from `planIdMaps`.
 * @throws {HostError} When a helper is missing or refuses the ranges.
 *
 * @example
 * ```ts ignore
 * import { applyIdMaps } from "./apply_id_map.ts";
 * import { planIdMaps } from "./id_map.ts";
 * await applyIdMaps(pid, planIdMaps({ uid: 1000, gid: 1000, subuids: [], subgids: [] }));
 * ```
 */
export async function applyIdMaps(pid: number, plan: IdMapPlan): Promise<void> {
  if (plan.mode === "subid") {
    await Promise.all([helper("newuidmap", pid, plan.uid), helper("newgidmap", pid, plan.gid)]);
    return;
  }
  const line = (m: IdMapping[]) => m.map((x) => `${x.inside} ${x.outside} ${x.count}\n`).join("");
  try {
    sys.writeText(`/proc/${pid}/setgroups`, "deny");
    sys.writeText(`/proc/${pid}/uid_map`, line(plan.uid));
    sys.writeText(`/proc/${pid}/gid_map`, line(plan.gid));
  } catch (err) {
    throw new HostError(`Cannot write the id map of process ${pid}: ${(err as Error).message}`);
  }
}
