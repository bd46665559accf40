/**
 * The user namespace that foreground runs share, as podman's pause process
 * holds one: one per user, with the subordinate id maps, held by
 * `nook-monitor --anchor`. A run that joins it starts no newuidmap and no
 * newgidmap (about 4 ms of each `nook run`).
 *
 * Its pid and start time are in `anchor-userns` in the runtime directory. A
 * run checks them (a reused pid has another start time), the name and the maps
 * of the process against its own plan, and the shim checks the start time
 * again once it holds the namespace open. One that is missing, dead or
 * different is made anew under a lock, so that runs started together make one.
 * Where none can be made, a run makes a user namespace of its own, as before.
 * The anchor ends by itself once the file no longer names it: removed with the
 * runtime directory (at logout, a test's), or naming a newer one.
 *
 * @module
 */
import { loadShim, monitorPath } from "../../shim/binding.ts";
import { Op } from "../../shim/protocol.ts";
import { ANCHOR_NAME } from "../monitor/anchor_name.ts";
import { runtimeDir } from "../paths/mod.ts";
import { writeFileAtomic } from "../store/atomic_write.ts";
import { withLock } from "../store/lock.ts";
import { sys } from "../sys/mod.ts";
import type { IdMapping, IdMapPlan } from "../userns/mod.ts";
import { processIdMaps } from "./container_process.ts";
import { CloneFlag, OpenFlag } from "./defaults.ts";
import { processStartTime, signalProcess } from "./process_ref.ts";
import { spawnPlanned } from "./spawn_process.ts";

/** A live anchor: the process to join the user namespace of. */
export interface UsernsAnchor {
  /** Its pid. */
  pid: number;
  /** Field 22 of its /proc/PID/stat, which the shim checks again. */
  startTime: string;
}

function anchorFile(): string {
  return `${runtimeDir()}/anchor-userns`;
}

function sameMaps(a: readonly IdMapping[], b: readonly IdMapping[]): boolean {
  return a.length === b.length &&
    a.every((m, i) =>
      m.inside === b[i].inside && m.outside === b[i].outside && m.count === b[i].count
    );
}

/** The anchor the file names, when that process still runs with the maps of `plan`. */
function recorded(plan: IdMapPlan): UsernsAnchor | null {
  const [pid, startTime = "-"] = (sys.readText(anchorFile()) ?? "").trim().split(" ");
  const anchor = { pid: Number(pid), startTime };
  return anchor.pid > 0 && fits(anchor, plan) ? anchor : null;
}

/** Whether `anchor` runs (the same process: its start time) in a user namespace mapped as `plan`. */
function fits(anchor: UsernsAnchor, plan: IdMapPlan): boolean {
  if (processStartTime(anchor.pid) !== anchor.startTime) return false;
  try {
    const maps = processIdMaps(anchor.pid);
    return maps.setgroups && sameMaps(maps.uid, plan.uid) && sameMaps(maps.gid, plan.gid) &&
      sys.readText(`/proc/${anchor.pid}/comm`)?.trim() === ANCHOR_NAME;
  } catch {
    return false; // ended meanwhile
  }
}

/** Starts `nook-monitor --anchor` in a new user namespace mapped as `plan`; returns its pid. */
async function startAnchor(plan: IdMapPlan): Promise<number> {
  const shim = loadShim();
  const pipe = shim.pipe();
  if (typeof pipe === "number") throw new Error(`pipe: errno ${-pipe}`);
  const [readEnd, writeEnd] = pipe;
  let writeOpen = true;
  try {
    const argv = [monitorPath(), "--anchor", anchorFile()];
    const child = await spawnPlanned({
      program: {
        cloneFlags: CloneFlag.NEWUSER,
        steps: [
          { op: Op.OPEN_FD, n: [0, OpenFlag.RDONLY], s: ["/dev/null"] },
          { op: Op.DUP2, n: [writeEnd, 1] },
          { op: Op.OPEN_FD, n: [2, OpenFlag.WRONLY], s: ["/dev/null"] },
          { op: Op.CLOSE_FDS },
          { op: Op.EXEC, n: [argv.length, 0], s: [argv[0], null, argv, []] },
        ],
      },
      describe: [
        "open /dev/null as stdin",
        "redirect stdout to nook",
        "open /dev/null as stderr",
        "close inherited file descriptors",
        `exec ${argv[0]}`,
      ],
    }, plan);
    shim.close(writeEnd);
    writeOpen = false;
    // The anchor writes its pid and closes its stdout; the first process exits after its fork.
    const buf = new Uint8Array(64);
    let text = "";
    while (true) {
      const n = await shim.read(readEnd, buf);
      if (n <= 0) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    const { exitCode } = await child.status;
    const pid = Number(text.trim());
    if (exitCode !== 0 || !(pid > 0)) throw new Error(`the anchor said '${text.trim()}'`);
    return pid;
  } finally {
    shim.close(readEnd);
    if (writeOpen) shim.close(writeEnd);
  }
}

/** Makes the anchor (or finds the one a run started meanwhile made), under the lock. */
async function makeAnchor(plan: IdMapPlan): Promise<UsernsAnchor | null> {
  return await withLock(`${anchorFile()}.lock`, async () => {
    const found = recorded(plan);
    if (found) return found;
    const made = await startAnchor(plan);
    const anchor = { pid: made, startTime: processStartTime(made) ?? "-" };
    if (!fits(anchor, plan)) {
      signalProcess(anchor, "SIGKILL"); // unnamed, it would wait for its directory to go
      return null;
    }
    // The one this file named before (if any) ends, as it no longer names it.
    writeFileAtomic(anchorFile(), `${anchor.pid} ${anchor.startTime}\n`, 0o600);
    return anchor;
  });
}

/**
 * The anchor whose user namespace a run mapped as `plan` joins: the one that
 * runs, else a new one.
 *
 * @param plan The run's id maps; only subordinate ranges are anchored (the
 *   single mapping is written without helpers).
 * @returns The anchor, or null when the run makes its own user namespace.
 *
 * @example
 * ```ts ignore
 * const anchor = await usernsAnchor(chooseIdMaps({ onWarning: () => {} }));
 * ```
 */
export async function usernsAnchor(plan: IdMapPlan): Promise<UsernsAnchor | null> {
  if (plan.mode !== "subid") return null;
  const found = recorded(plan);
  if (found) return found;
  try {
    return await makeAnchor(plan);
  } catch {
    return null; // no monitor, no lock: the run maps a namespace of its own
  }
}
