/**
 * Writes a planned id map into a child's user namespace: through the setuid
 * helpers newuidmap/newgidmap for subordinate ranges, or directly for the
 * single mapping (which needs setgroups denied first).
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { errnoText, HostError } from "../errors/mod.ts";
import { sys, which } from "../sys/mod.ts";
import type { IdMapping, IdMapPlan } from "./id_map.ts";

function flat(maps: IdMapping[]): string[] {
  return maps.flatMap((m) => [String(m.inside), String(m.outside), String(m.count)]);
}

async function helper(tool: string, pid: number, maps: IdMapping[]): Promise<void> {
  const path = which(tool);
  if (!path) {
    throw new HostError(
      `Cannot map the container's ids: '${tool}' is not installed (package 'uidmap')`,
    );
  }
  const args = [String(pid), ...flat(maps)];
  const { status, stderr } = await loadShim().runHelper([path, ...args]);
  if (status < 0) throw new HostError(`Cannot run '${path}': ${errnoText(-status)}`);
  if (status !== 0) {
    const why = stderr.trim().split("\n").pop() ||
      ((status & 0x7f) ? `killed by signal ${status & 0x7f}` : `exit code ${status >> 8}`);
    throw new HostError(`'${tool} ${args.join(" ")}' failed: ${why}`);
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
