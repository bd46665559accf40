/**
 * The program format the C shim runs, mirrored from `shim/src/nook_shim.h`
 * (tests/shim_protocol_test.ts checks that both sides agree).
 *
 * TypeScript decides everything; this module only encodes: a header, fixed
 * 40-byte steps, and a blob of NUL-terminated strings.
 *
 * @module
 */

/** Version of the program format; the shim refuses any other. */
export const ABI = 3;
/** "nook" read as a little-endian u32. */
export const PROGRAM_MAGIC = 0x6b6f6f6e;
/** A string slot that holds nothing. */
export const NO_STR = 0xffffffff;
/** Largest number of steps in one program. */
export const MAX_STEPS = 1024;
/** Largest argv or envp. */
export const MAX_LIST = 16384;

/** Step operations, as `enum nook_op`. */
export const Op = {
  SETHOSTNAME: 1,
  LOOPBACK_UP: 2,
  MOUNT_PRIVATE: 3,
  ENTER_ROOT: 4,
  MOUNT: 5,
  BIND: 6,
  MASK: 7,
  READONLY: 8,
  SYMLINK: 9,
  PIVOT_ROOT: 10,
  REMOUNT_RO: 11,
  MKDIR: 12,
  OPEN_FD: 13,
  DUP2: 14,
  SETSID: 15,
  PTY: 16,
  CAPS: 17,
  NO_NEW_PRIVS: 18,
  SETGROUPS: 19,
  SETGID: 20,
  SETUID: 21,
  CHDIR: 22,
  INIT: 23,
  EXEC: 24,
  PDEATHSIG: 25,
  CLOSE_FDS: 26,
  OVERLAY: 27,
  MOUNT_ATTR: 28,
  RUN: 29,
  COPY_LAYER: 30,
  UNSHARE: 31,
  SETNS: 32,
  JOIN_NS: 33,
  CLONE: 34,
  SHARE_MOUNT: 35,
} as const;

/**
 * How a failed `Op.RUN` helper is reported: errno `EXITED + status`, or
 * `SIGNALED + signal` (an exec failure is its plain errno).
 */
export const RunFailure = { EXITED: 0x10000, SIGNALED: 0x20000 } as const;

/** A step operation number. */
export type OpCode = typeof Op[keyof typeof Op];

/** Step flags, as the `NOOK_F_*` defines. */
export const StepFlag = { OPTIONAL: 0x1, MKDIR: 0x2, MKFILE: 0x4, RECURSIVE: 0x8 } as const;

/** Messages the child sends, as `enum nook_report_kind`. */
export const ReportKind = { ERROR: 1, PTY: 2, PID: 3 } as const;

/** Outcome of `nook_release`, as `NOOK_REL_RESULT` values. */
export const ReleaseResult = { EXECUTED: 0, STEP_FAILED: 1, DIED: 2 } as const;

/** Sizes of the C structs. */
export const HEADER_SIZE = 32;
/** Size of `struct nook_step`. */
export const STEP_SIZE = 40;

/** One step as TypeScript builds it; `s` slots take a string, a list of strings, or null. */
export interface Step {
  /** Operation. */
  op: OpCode;
  /** `StepFlag` bits. */
  flags?: number;
  /** Up to two numbers. */
  n?: [number | bigint, (number | bigint)?];
  /** Up to four string (or string list) arguments. */
  s?: (string | readonly string[] | null)[];
}

/** A whole program. */
export interface Program {
  /** `CLONE_NEW*` flags for the child. */
  cloneFlags: number;
  /** A cgroup directory fd to clone into, or -1. */
  cgroupFd?: number;
  /** The steps, run in order. */
  steps: Step[];
}

/**
 * Encodes a program into the bytes `nook_spawn` takes.
 *
 * @param program The clone flags and steps.
 * @returns The encoded program.
 * @throws {RangeError} When a string holds a NUL byte or a limit is exceeded.
 *
 * @example Encode a program that only runs /bin/true
 * ```ts
 * import { encodeProgram, Op } from "./protocol.ts";
 * const bytes = encodeProgram({
 *   cloneFlags: 0,
 *   steps: [{ op: Op.EXEC, n: [1, 0], s: ["/bin/true", null, ["true"], []] }],
 * });
 * console.assert(bytes.length > 72);
 * ```
 */
export function encodeProgram(program: Program): Uint8Array {
  const { steps } = program;
  if (steps.length > MAX_STEPS) {
    throw new RangeError(
      `Cannot encode ${steps.length} steps: the shim takes at most ${MAX_STEPS}`,
    );
  }
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [new Uint8Array(1)]; // offset 0 holds "", the blob ends in NUL
  let size = 1;
  const add = (text: string): number => {
    if (text.includes("\0")) {
      throw new RangeError(`Cannot pass ${JSON.stringify(text)}: it holds a NUL byte`);
    }
    const bytes = enc.encode(text + "\0");
    const at = size;
    chunks.push(bytes);
    size += bytes.length;
    return at;
  };
  const slots = steps.map((step) =>
    [0, 1, 2, 3].map((i) => {
      const v = step.s?.[i];
      if (v === undefined || v === null) return NO_STR;
      if (typeof v === "string") return add(v);
      if (v.length > MAX_LIST) {
        throw new RangeError(`Cannot pass ${v.length} strings: at most ${MAX_LIST}`);
      }
      if (v.length === 0) return NO_STR;
      const first = add(v[0]);
      for (const item of v.slice(1)) add(item);
      return first;
    })
  );
  const out = new Uint8Array(HEADER_SIZE + steps.length * STEP_SIZE + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, PROGRAM_MAGIC, true);
  view.setUint32(4, ABI, true);
  view.setBigUint64(8, BigInt(program.cloneFlags), true);
  view.setInt32(16, program.cgroupFd ?? -1, true);
  view.setUint32(20, steps.length, true);
  view.setUint32(24, size, true);
  steps.forEach((step, i) => {
    const at = HEADER_SIZE + i * STEP_SIZE;
    view.setUint32(at, step.op, true);
    view.setUint32(at + 4, step.flags ?? 0, true);
    view.setBigUint64(at + 8, BigInt(step.n?.[0] ?? 0), true);
    view.setBigUint64(at + 16, BigInt(step.n?.[1] ?? 0), true);
    slots[i].forEach((off, k) => view.setUint32(at + 24 + 4 * k, off, true));
  });
  let at = HEADER_SIZE + steps.length * STEP_SIZE;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
