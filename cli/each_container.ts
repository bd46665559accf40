/**
 * What the container verbs share: run an action on each named container, report
 * a failure and go on with the others (as docker does); the exit code says the
 * worst failure: 1 when a name matched nothing, 2 for a state that forbids the
 * action, 125 for another error (podman's codes).
 *
 * @module
 */
import { NookError } from "../lib/errors/mod.ts";
import { findContainer, NoSuchContainerError } from "../lib/container/find_container.ts";
import { verbExitCode } from "./exit_code.ts";
import type { ContainerRecord } from "../lib/records/container_record.ts";
import { sys } from "../lib/sys/mod.ts";

/** Options of {@linkcode eachContainer}. */
export interface EachContainerOptions {
  /** A reference that matches no container is skipped, not an error (podman's `--ignore`). */
  ignore?: boolean;
}

/**
 * Runs `fn` on each container reference; prints what it returns on stdout.
 *
 * @param refs Container references.
 * @param fn The action; its string result (if any) is printed.
 * @param options `ignore`: skip references that match nothing.
 * @returns 0, or the highest exit code of the failures (125 over 2 over 1).
 *
 * @example
 * ```ts ignore
 * return await eachContainer(p.rest, async (r) => { await stopContainer(r); return r.name; });
 * ```
 */
export async function eachContainer(
  refs: readonly string[],
  fn: (record: ContainerRecord, ref: string) => Promise<string | void> | string | void,
  options: EachContainerOptions = {},
): Promise<number> {
  let code = 0;
  for (const ref of refs) {
    try {
      const out = await fn(findContainer(ref), ref);
      if (typeof out === "string") sys.stdout(out + "\n");
    } catch (err) {
      if (options.ignore && err instanceof NoSuchContainerError) continue;
      if (!(err instanceof NookError)) throw err; // a bug: let cli/main.ts show its stack
      sys.stderr(`nook: ${err.message}\n`);
      code = Math.max(code, verbExitCode(err));
    }
  }
  return code;
}
