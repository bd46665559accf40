/**
 * The errno behind an error the runtime threw for a system call ("... (os
 * error 16)"), or 0 when it carries none.
 *
 * @param err What was thrown.
 * @returns The errno.
 */
export function osErrno(err: unknown): number {
  const m = /\(os error (\d+)\)/.exec((err as Error)?.message ?? "");
  return m ? Number(m[1]) : 0;
}
