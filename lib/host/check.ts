/**
 * The result type of every host check.
 *
 * @module
 */

/**
 * How a check went: `"ok"`, `"warn"` (nook works with less: a fallback, no
 * limits) or `"error"` (nook cannot run containers).
 */
export type CheckStatus = "ok" | "warn" | "error";

/**
 * One fact about the host and, when it is not ok, how to fix it.
 *
 * @example
 * ```ts
 * import type { Check } from "./check.ts";
 * const check: Check = {
 *   id: "pasta",
 *   title: "pasta network helper",
 *   status: "warn",
 *   detail: "not found on PATH",
 *   fix: "sudo apt-get install passt",
 * };
 * console.assert(check.status !== "error");
 * ```
 */
export interface Check {
  /** Stable identifier, e.g. `"userns"`. */
  id: string;
  /** Human title, e.g. `"User namespaces"`. */
  title: string;
  /** How the check went. */
  status: CheckStatus;
  /** What was found, in one line. */
  detail: string;
  /** A shell command or package that fixes a non-ok check. */
  fix?: string;
}
