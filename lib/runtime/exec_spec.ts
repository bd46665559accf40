/**
 * The fully resolved description of one process to start in a running
 * container (`nook exec`), which the planner turns into shim steps.
 *
 * @module
 */
import type { ResolvedUser } from "./user_lookup.ts";

/** A resolved exec. */
export interface ExecSpec {
  /** Pid of the container's first process, in nook's pid namespace (for messages). */
  pid: number;
  /** A pidfd of that process, open in nook: the clone child inherits it and joins through it. */
  pidfd: number;
  /** `CLONE_NEW*` flags of the namespaces to join: those the container does not share with nook. */
  namespaces: number;
  /** argv of the command (argv[0] is looked up in PATH when it has no '/'). */
  argv: string[];
  /** NAME=VALUE entries. */
  env: string[];
  /** Working directory inside (must exist). */
  cwd: string;
  /** Who runs the command. */
  user: ResolvedUser;
  /** Set the supplementary groups (the container's user namespace allows setgroups). */
  setgroups: boolean;
  /** Give the command a pty of its own, from the container's /dev/ptmx. */
  tty: boolean;
  /** Initial pty size. */
  ttySize?: { rows: number; columns: number };
  /** Keep nook's stdin (else /dev/null). */
  interactive: boolean;
  /** An fd of nook that becomes the command's stdout, "null" for /dev/null, else inherited. */
  stdoutFd?: number | "null";
  /** The same for stderr. */
  stderrFd?: number | "null";
  /** Bounding set (bit per capability). */
  capabilities: bigint;
  /** Highest capability number of the kernel. */
  lastCap: number;
  /** Kill the command when nook dies (not for a detached exec). */
  dieWithParent: boolean;
}
