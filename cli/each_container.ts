/**
 * What the container verbs share: run an action on each named container, report
 * a failure and go on with the others (as docker does), exit 125 if any failed.
 *
 * @module
 */
import { NookError } from "../lib/errors/mod.ts";
import { findContainer } from "../lib/container/find_container.ts";
import type { ContainerRecord } from "../lib/records/container_record.ts";
import { sys } from "../lib/sys/mod.ts";

/**
 * Runs `fn` on each container reference; prints what it returns on stdout.
 *
 * @param refs Container references.
 * @param fn The action; its string result (if any) is printed.
 * @returns 0, or the exit code of the last failure.
 *
 * @example
 * ```ts ignore
 * return await eachContainer(p.rest, async (r) => { await stopContainer(r); return r.name; });
 * ```
 */
export async function eachContainer(
  refs: readonly string[],
  fn: (record: ContainerRecord, ref: string) => Promise<string | void> | string | void,
): Promise<number> {
  let code = 0;
  for (const ref of refs) {
    try {
      const out = await fn(findContainer(ref), ref);
      if (typeof out === "string") sys.stdout(out + "\n");
    } catch (err) {
      if (!(err instanceof NookError)) throw err; // a bug: let cli/main.ts show its stack
      sys.stderr(`nook: ${err.message}\n`);
      code = err.exitCode;
    }
  }
  return code;
}
