/**
 * Cgroups for the tests: scripts/test.sh (as root) delegates a cgroup2
 * subtree to the test user and names it in `NOOK_TEST_CGROUP`; the test
 * process runs in its leaf `tests`, so it may make sibling cgroups below the
 * subtree and move processes into them. Without it the cgroup tests skip.
 *
 * @module
 */
import { requireHost, testNeeds, until } from "./helpers.ts";

/** The delegated subtree, or undefined when the host (or the caller) gives none. */
export const TEST_CGROUP: string | undefined = Deno.env.get("NOOK_TEST_CGROUP") || undefined;

/** Why the cgroup tests skip, or "" when they run. */
export const CGROUP_SKIP = TEST_CGROUP
  ? ""
  : "NOOK_TEST_CGROUP is unset (run as root through scripts/test.sh on a host with cgroup2)";

/**
 * A Deno test that needs the delegated subtree; without it, it is skipped
 * with the reason in its name, also with CI=true: whether the host has cgroup2
 * to delegate is not a package (scripts/test.sh delegates where it can).
 *
 * @param name The test's name.
 * @param fn Its body, given the subtree.
 */
export function cgroupTest(name: string, fn: (root: string) => Promise<void>): void {
  testNeeds([requireHost(CGROUP_SKIP === "", CGROUP_SKIP)], { name, fn: () => fn(TEST_CGROUP!) });
}

/** A file's text, or "" when it is missing. */
export function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** The pids in a cgroup's `cgroup.procs`. */
export function procsOf(dir: string): number[] {
  return readOr(`${dir}/cgroup.procs`).split("\n").filter((l) => l !== "").map(Number);
}

/** A `cgroup.events` field ("populated", "frozen"). */
export function cgroupEvent(dir: string, key: string): number | undefined {
  const m = new RegExp(`^${key} (\\d+)$`, "m").exec(readOr(`${dir}/cgroup.events`));
  return m ? Number(m[1]) : undefined;
}

/** Whether `pid` runs (a zombie or a process that is gone does not). */
export function running(pid: number): boolean {
  const text = readOr(`/proc/${pid}/stat`);
  if (text === "") return false;
  const state = text.slice(text.lastIndexOf(")") + 2).split(" ")[0];
  return state !== "Z" && state !== "X";
}

/** A new cgroup below the subtree; `remove()` kills what is left in it and removes it. */
export interface TestCgroup {
  /** Its directory. */
  dir: string;
  /** Kills its processes (cgroup.kill) and removes it, best effort. */
  remove(): Promise<void>;
}

/** Removes a cgroup and the cgroups below it, deepest first (best effort). */
function removeCgroupTree(dir: string): void {
  try {
    for (const e of Deno.readDirSync(dir)) if (e.isDirectory) removeCgroupTree(`${dir}/${e.name}`);
    Deno.removeSync(dir);
  } catch {
    // gone already, or a process is stuck: test.sh removes the subtree at the end
  }
}

let serial = 0;

/**
 * Makes a cgroup below `root` with a name unique to this test process.
 *
 * @param root The delegated subtree.
 * @param name A name for it.
 * @returns The cgroup.
 */
export function makeCgroup(root: string, name: string): TestCgroup {
  const dir = `${root}/${name}-${Deno.pid}-${++serial}`;
  Deno.mkdirSync(dir);
  return {
    dir,
    async remove() {
      try {
        Deno.writeTextFileSync(`${dir}/cgroup.freeze`, "0");
        Deno.writeTextFileSync(`${dir}/cgroup.kill`, "1");
      } catch {
        // gone already
      }
      await until(`${dir} to be empty`, () => cgroupEvent(dir, "populated") !== 1, 10_000)
        .catch(() => {});
      removeCgroupTree(dir);
    },
  };
}

/**
 * Moves a process into a cgroup (as `echo PID > cgroup.procs`).
 *
 * @param dir The cgroup.
 * @param pid The process.
 */
export function moveInto(dir: string, pid: number): void {
  Deno.writeTextFileSync(`${dir}/cgroup.procs`, `${pid}`);
}

/**
 * Starts `sh -c SCRIPT` in a cgroup: the shell moves itself there before it
 * runs the script, so everything the script starts is in it too. Returns
 * once the cgroup has at least `count` processes.
 *
 * @param dir The cgroup.
 * @param script The shell script.
 * @param count How many processes the script makes before it is ready.
 * @returns The shell's child process (its pid is the script's first process).
 */
export async function startIn(dir: string, script: string, count = 1): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("sh", {
    args: ["-c", 'echo $$ >"$0/cgroup.procs" && exec sh -c "$1"', dir, script],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await until(`${count} processes in ${dir}`, () => procsOf(dir).length >= count);
  return child;
}
