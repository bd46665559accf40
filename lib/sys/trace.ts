/**
 * Time marks for profiling nook's own start-up and setup: with `NOOK_TRACE=1`
 * in the environment every {@linkcode trace} call writes the milliseconds
 * since the process started and its label to stderr; otherwise a call costs a
 * boolean test. `deno task bench` and the notes of performance work read them.
 *
 * @module
 */
import { sys } from "./sys.ts";

let enabled: boolean | undefined;

/**
 * Writes `nook trace: 12.3 ms LABEL` to stderr when `NOOK_TRACE` is set.
 *
 * @param label What has just happened.
 *
 * @example
 * ```ts
 * import { trace } from "./trace.ts";
 * trace("config built");
 * ```
 */
export function trace(label: string): void {
  enabled ??= (sys.env("NOOK_TRACE") ?? "") !== "";
  if (enabled) sys.stderr(`nook trace: ${performance.now().toFixed(1)} ms ${label}\n`);
}
