/**
 * The error for a monitor's failure report: one place that turns each kind of
 * {@linkcode MonitorFailure} into what the user reads. What only the caller
 * can word (which step of its program failed, what its network helper said)
 * it passes in.
 *
 * @module
 */
import { errnoText, HostError, NookError } from "../errors/mod.ts";
import type { MonitorFailure, NetFailure } from "./monitor_protocol.ts";

/** A failed step, as the report gives it. */
export type StepFailure = Extract<MonitorFailure, { kind: "step" }>;

/** What {@linkcode monitorFailure} needs to word a failure. */
export interface FailureContext {
  /** What did not start, as messages name it: "container web", "network 'backend'". */
  what: string;
  /** Whose cgroup and ids the monitor set up, as messages name them: "the container's". */
  whose: string;
  /** The cgroup the process was to be cloned into, if any. */
  cgroup?: string;
  /** Words a failed step of the program (its index into the caller's plan). */
  step(failure: StepFailure): unknown;
  /** Words a failure of the network helper (default: what the report says). */
  net?(failure: NetFailure): unknown;
  /** Words a failed clone (default: "Cannot start WHAT: clone: ERRNO"). */
  clone?(errno: number): unknown;
}

function netText(f: NetFailure): string {
  if (f.kind === "request") return `it refused request ${f.index}: ${f.reply}`;
  return `it did not ${f.kind === "spawn" ? "start" : "get ready"}: ${errnoText(f.errno)}`;
}

/**
 * The error to throw for a monitor that could not start its process.
 *
 * @param report The monitor's failure report.
 * @param context Names and the caller's words for steps, clones and its network helper.
 * @returns The error (a `NookError`, or what the context's callbacks return).
 *
 * @example A failed clone of a network's process
 * ```ts
 * import { monitorFailure } from "./monitor_failure.ts";
 * const err = await monitorFailure({ kind: "clone", errno: 1 }, {
 *   what: "network 'backend'",
 *   whose: "the network's",
 *   step: () => new Error("unused"),
 * }) as Error;
 * console.assert(err.message === "Cannot start network 'backend': clone: Operation not permitted");
 * ```
 */
export async function monitorFailure(
  report: MonitorFailure,
  context: FailureContext,
): Promise<unknown> {
  const { what, whose } = context;
  switch (report.kind) {
    case "step":
      return context.step(report);
    case "clone":
      return context.clone
        ? await context.clone(report.errno)
        : new NookError(`Cannot start ${what}: clone: ${errnoText(report.errno)}`);
    case "cgroup":
      return new HostError(
        `Cannot open ${whose} cgroup ${context.cgroup}: ${errnoText(report.errno)}`,
      );
    case "map":
      return new HostError(`Cannot map ${whose} ids: ${report.text}`);
    case "net":
      return context.net ? await context.net(report.failure) : new NookError(
        `Cannot start ${what}: its network helper failed: ${netText(report.failure)}`,
      );
    case "other":
      return new NookError(`Cannot start ${what}: ${report.text}`);
    case "unreadable":
      return new NookError(
        `Cannot start ${what}: ` +
          (report.text
            ? `the monitor's report '${report.text}' is not one this nook reads; ` +
              "rebuild the monitor with 'deno task build'"
            : `the monitor ended without a report (exit code ${report.exitCode})`),
      );
  }
}
