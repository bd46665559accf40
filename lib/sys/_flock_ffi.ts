/**
 * flock(2) for Node and Bun, which have none: libc's `flock` through koffi
 * (Node) or bun:ffi (Bun), the same lock Deno's `FsFile.lock` takes, so nook
 * processes on different runtimes exclude each other. The call is made with
 * LOCK_NB and retried on a timer, so a held lock never blocks the event loop.
 *
 * @module
 */
import type * as NodeFs from "node:fs";

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = 11;

interface Proc {
  versions: Record<string, string | undefined>;
  getBuiltinModule(name: string): unknown;
}

let flockFn: ((fd: number, op: number) => number) | undefined;
let errnoFn: (() => number) | undefined;

function bind(): void {
  const proc = (globalThis as unknown as { process: Proc }).process;
  if (proc.versions.bun) {
    const ffi = proc.getBuiltinModule("bun:ffi") as {
      dlopen(path: string, defs: unknown): { symbols: Record<string, () => unknown> };
      read: { i32(ptr: unknown, offset?: number): number };
    };
    const libc = ffi.dlopen("libc.so.6", {
      flock: { args: ["i32", "i32"], returns: "i32" },
      __errno_location: { args: [], returns: "ptr" },
    }).symbols;
    flockFn = libc.flock as unknown as (fd: number, op: number) => number;
    errnoFn = () => ffi.read.i32(libc.__errno_location());
    return;
  }
  const mod = proc.getBuiltinModule("node:module") as {
    createRequire(from: string): (id: string) => unknown;
  };
  const koffi = mod.createRequire(import.meta.url)("koffi") as {
    load(path: string): { func(decl: string): (...args: unknown[]) => number };
    errno(): number;
  };
  const libc = koffi.load("libc.so.6");
  flockFn = libc.func("int flock(int fd, int op)") as (fd: number, op: number) => number;
  errnoFn = () => koffi.errno();
}

/**
 * Takes an exclusive flock on `path` (created 0600 when missing).
 *
 * @param fs The `node:fs` module.
 * @param path The lock file.
 * @returns The function that releases it (closes the file).
 *
 * @example
 * ```ts ignore
 * const release = await lockFile(fs, "/tmp/x.lock");
 * release();
 * ```
 */
export async function lockFile(fs: typeof NodeFs, path: string): Promise<() => void> {
  if (!flockFn) bind();
  const fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    for (let delay = 1;; delay = Math.min(delay * 2, 50)) {
      if (flockFn!(fd, LOCK_EX | LOCK_NB) === 0) break;
      const errno = errnoFn!();
      if (errno !== EWOULDBLOCK) {
        throw Object.assign(new Error(`Cannot lock '${path}': flock failed (errno ${errno})`), {
          code: "ELOCK",
        });
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  return () => fs.closeSync(fd);
}
