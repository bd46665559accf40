/**
 * `top`: the processes of a container, found by its PID namespace.
 *
 * @module
 */
import { sys } from "../sys/mod.ts";

/** One process of a container. */
export interface ContainerProcess {
  /** Pid on the host. */
  pid: number;
  /** Parent pid on the host. */
  ppid: number;
  /** Real uid on the host. */
  uid: number;
  /** CPU time in seconds. */
  cpuSeconds: number;
  /** The command line. */
  command: string;
}

function nsOf(pid: number | string): string | null {
  try {
    return sys.readLink(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** The parent pid of process `name`, or null when it is gone. */
function parentOf(name: string): number | null {
  const stat = sys.readText(`/proc/${name}/stat`);
  return stat ? Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) : null;
}

/**
 * The processes in the same PID namespace as `pid` (the container's first process).
 * When nook may not read that process's namespaces (a reaper that is not
 * dumpable: `--init` in a container that changed its ids), the namespace of
 * one of its children tells, and it is listed too.
 *
 * @param pid The container's first process.
 * @returns Its processes, by pid.
 *
 * @example
 * ```ts ignore
 * for (const p of containerProcesses(st.pid)) console.log(p.pid, p.command);
 * ```
 */
export function containerProcesses(pid: number): ContainerProcess[] {
  const names = sys.readDir("/proc").filter((name) => /^\d+$/.test(name));
  let ns = nsOf(pid);
  for (const name of names) {
    if (ns) break;
    if (parentOf(name) === pid) ns = nsOf(name);
  }
  if (!ns) return [];
  const hz = 100;
  const out: ContainerProcess[] = [];
  for (const name of names) {
    if (Number(name) !== pid && nsOf(name) !== ns) continue;
    const stat = sys.readText(`/proc/${name}/stat`);
    const status = sys.readText(`/proc/${name}/status`);
    if (!stat || !status) continue;
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = (sys.readText(`/proc/${name}/cmdline`) ?? "").split("\0").filter(Boolean).join(
      " ",
    );
    out.push({
      pid: Number(name),
      ppid: Number(f[1]),
      uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1),
      cpuSeconds: (Number(f[11]) + Number(f[12])) / hz,
      command: cmdline || `[${stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))}]`,
    });
  }
  return out.sort((a, b) => a.pid - b.pid);
}
