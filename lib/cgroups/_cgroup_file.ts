/**
 * Reading and writing the files of a cgroup v2 directory: the flat-keyed
 * files ("key value" lines: cgroup.events, cpu.stat, memory.events) and the
 * control files a value is written to (cgroup.freeze, cgroup.kill).
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";

/**
 * Parses a flat-keyed cgroup file: one "key value" pair per line.
 *
 * @param text The file's text.
 * @returns The values by key (values that are not numbers are left out).
 *
 * @example
 * ```ts
 * import { parseFlatKeyed } from "./_cgroup_file.ts";
 * console.assert(parseFlatKeyed("populated 1\nfrozen 0\n").populated === 1);
 * ```
 */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/**
 * Reads a flat-keyed cgroup file.
 *
 * @param path The file.
 * @returns The values by key, or null when the file (or its cgroup) does not exist.
 *
 * @example
 * ```ts ignore
 * readFlatKeyed(`${dir}/cpu.stat`)?.usage_usec;
 * ```
 */
export function readFlatKeyed(path: string): Record<string, number> | null {
  const text = readCgroupText(path);
  return text === null ? null : parseFlatKeyed(text);
}

/**
 * Reads a cgroup file's text.
 *
 * @param path The file.
 * @returns Its text, or null when it (or its cgroup) does not exist or cannot be read.
 *
 * @example
 * ```ts ignore
 * readCgroupText(`${dir}/memory.max`); // "max\n"
 * ```
 */
export function readCgroupText(path: string): string | null {
  try {
    return sys.readText(path);
  } catch {
    // EACCES, or ENODEV from a cgroup removed between the open and the read: nothing to read.
    return null;
  }
}

/** A Deno error's text without the "(os error N)" and the call it names. */
function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\(os error \d+\).*$/s, "");
}

/**
 * Writes a value into a cgroup control file.
 *
 * @param path The file (it must exist: a cgroup file is never created).
 * @param value What to write.
 * @param what The action, for the error message ("freeze cgroup '/x'").
 * @throws {NookError} "Cannot WHAT: REASON" when the write fails.
 *
 * @example
 * ```ts ignore
 * writeCgroupFile(`${dir}/cgroup.freeze`, "1", `freeze cgroup '${dir}'`);
 * ```
 */
export function writeCgroupFile(path: string, value: string, what: string): void {
  if (!sys.lstat(path)) {
    const dir = path.slice(0, path.lastIndexOf("/"));
    const missing = sys.lstat(dir)
      ? `it has no ${path.slice(dir.length + 1)}`
      : "it does not exist";
    throw new NookError(`Cannot ${what}: ${missing}`);
  }
  try {
    sys.writeText(path, value);
  } catch (err) {
    throw new NookError(`Cannot ${what}: ${reason(err)}`, { cause: err });
  }
}

/** The fields of `cgroup.events`. */
export interface CgroupEvents {
  /** A live process is in the cgroup or below it. */
  populated: boolean;
  /** The cgroup is frozen (every process in it stopped by the freezer). */
  frozen: boolean;
}

/**
 * Reads a cgroup's `cgroup.events`.
 *
 * @param dir The cgroup directory.
 * @returns Its fields, or null when the cgroup does not exist.
 *
 * @example
 * ```ts ignore
 * if (readCgroupEvents(dir)?.populated) console.log("something still runs");
 * ```
 */
export function readCgroupEvents(dir: string): CgroupEvents | null {
  const f = readFlatKeyed(`${dir}/cgroup.events`);
  return f === null ? null : { populated: f.populated === 1, frozen: f.frozen === 1 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `cgroup.events` satisfies `done` (polling, from 1 ms up to 50 ms
 * apart: a freeze or a kill usually completes within a few milliseconds).
 *
 * @param dir The cgroup directory.
 * @param done The condition, given null once the cgroup is gone.
 * @param timeoutMs How long at most.
 * @returns Whether `done` held before the time was up.
 *
 * @example
 * ```ts ignore
 * await waitForEvents(dir, (e) => !e?.populated, 5000);
 * ```
 */
export async function waitForEvents(
  dir: string,
  done: (events: CgroupEvents | null) => boolean,
  timeoutMs: number,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (let delay = 1;; delay = Math.min(delay * 2, 50)) {
    if (done(readCgroupEvents(dir))) return true;
    if (Date.now() >= end) return false;
    await sleep(delay);
  }
}
