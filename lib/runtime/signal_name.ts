/**
 * Signal names as docker takes them ("TERM", "SIGTERM", "15").
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";

/** Signal numbers by name without "SIG" (Linux, x86_64 and aarch64). */
export const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
}; // deno-fmt-ignore

/**
 * Normalizes a signal as docker takes it: "TERM", "SIGTERM", "15", "sigterm".
 *
 * @param value The signal.
 * @returns Its name ("SIGTERM").
 * @throws {UsageError} When it names no signal.
 *
 * @example
 * ```ts
 * import { signalName } from "./signal_name.ts";
 * console.assert(signalName("9") === "SIGKILL" && signalName("term") === "SIGTERM");
 * ```
 */
export function signalName(value: string): string {
  const v = value.toUpperCase().replace(/^SIG/, "");
  if (/^\d+$/.test(v)) {
    const hit = Object.entries(SIGNALS).find(([, n]) => n === Number(v));
    if (hit) return `SIG${hit[0]}`;
  } else if (SIGNALS[v]) return `SIG${v}`;
  throw new UsageError(`Invalid signal '${value}': use a name such as SIGTERM, TERM or a number`);
}
