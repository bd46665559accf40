/**
 * The FFI backends of `binding.ts` for Node (koffi) and Bun (bun:ffi). Each
 * opens the shim from the same symbol table as `Deno.dlopen` and hands back
 * functions that behave like Deno's: a plain call returns the number, a
 * `nonblocking` one returns a promise and runs off the event loop.
 *
 * - koffi: `fn.async` runs the call on libuv's thread pool. The pool has 4
 *   threads unless `UV_THREADPOOL_SIZE` is set before its first use, and
 *   nook can have more blocking calls waiting at once (release, wait, a pty
 *   relay, reads of several pipes), so the Node entry point sets it to 32.
 * - bun:ffi has no asynchronous calls: a nonblocking call is posted to a
 *   worker thread (one per call in flight, kept for reuse) that opened the
 *   library too; typed-array arguments are copied there and their contents
 *   copied back when the call returns, as the C side writes into them.
 *
 * No `node:` import: the runtimes' modules are fetched with
 * `process.getBuiltinModule`, so Deno never loads them.
 *
 * @module
 */

/** One symbol as `Deno.dlopen` describes it. */
export interface SymbolSpec {
  /** Parameter types: "i32", "u32", "i64", "buffer". */
  readonly parameters: readonly string[];
  /** Result type ("i32"). */
  readonly result: string;
  /** Whether the call blocks (then it returns a promise). */
  readonly nonblocking?: boolean;
}

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

interface NodeLike {
  getBuiltinModule(name: string): unknown;
  argv: string[];
}

function proc(): NodeLike {
  return (globalThis as unknown as { process: NodeLike }).process;
}

const F_SETFD = 2;
let stdioInheritable = false;

const KOFFI_TYPES: Record<string, string> = {
  i32: "int32_t",
  u32: "uint32_t",
  i64: "int64_t",
  buffer: "void *",
};

/** A `require` that resolves packages from nook's own files (the bundle or the sources). */
function requireHere(): (id: string) => unknown {
  const mod = proc().getBuiltinModule("node:module") as {
    createRequire(from: string): (id: string) => unknown;
  };
  return mod.createRequire(import.meta.url);
}

/**
 * Opens a library with koffi (Node).
 *
 * @param path The library.
 * @param symbols The functions to bind, in `Deno.dlopen`'s form.
 * @returns The bound functions by name.
 *
 * @example
 * ```ts ignore
 * const f = openKoffi("/usr/lib/libnook_shim.so", { nook_abi_version: { parameters: [], result: "i32" } });
 * console.log(f.nook_abi_version());
 * ```
 */
export function openKoffi(
  path: string,
  symbols: Record<string, SymbolSpec>,
): Record<string, AnyFn> {
  type KoffiFn = AnyFn & { async: AnyFn };
  const koffi = requireHere()("koffi") as {
    load(path: string): {
      func(name: string, result: string, params: string[]): KoffiFn;
      func(declaration: string): KoffiFn;
    };
  };
  const lib = koffi.load(path);
  if (!stdioInheritable) {
    // Node opens its stdio close-on-exec (Deno and Bun do not): without this, a container
    // that should share nook's stdout or stderr would start with them closed.
    const fcntl = koffi.load("libc.so.6").func("int fcntl(int fd, int cmd, ...)");
    for (const fd of [0, 1, 2]) fcntl(fd, F_SETFD, "int", 0);
    stdioInheritable = true;
  }
  const out: Record<string, AnyFn> = {};
  for (const [name, spec] of Object.entries(symbols)) {
    const fn = lib.func(
      name,
      KOFFI_TYPES[spec.result],
      spec.parameters.map((p) => KOFFI_TYPES[p]),
    );
    out[name] = spec.nonblocking
      ? (...args) =>
        new Promise((resolve, reject) =>
          fn.async(...args, (err: unknown, r: unknown) => err ? reject(err) : resolve(r))
        )
      : fn;
  }
  return out;
}

const BUN_TYPES: Record<string, string> = { i32: "i32", u32: "u32", i64: "i64", buffer: "ptr" };

function bunSpec(spec: SymbolSpec): { args: string[]; returns: string } {
  return { args: spec.parameters.map((p) => BUN_TYPES[p]), returns: BUN_TYPES[spec.result] };
}

/** The code of a worker that makes blocking calls for the main thread. */
const WORKER_SOURCE = `
const { dlopen } = process.getBuiltinModule("bun:ffi");
const libs = new Map();
self.onmessage = (event) => {
  const { path, name, spec, args } = event.data;
  const key = path + "\\0" + name;
  let fn = libs.get(key);
  if (!fn) {
    fn = dlopen(path, { [name]: spec }).symbols[name];
    libs.set(key, fn);
  }
  let result, error;
  try {
    result = fn(...args);
  } catch (err) {
    error = String(err);
  }
  postMessage({ result, error, args });
};
`;

interface BunWorker {
  postMessage(data: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  ref(): void;
  unref(): void;
}

const idle: BunWorker[] = [];
let workerUrl: string | undefined;

function takeWorker(): BunWorker {
  const found = idle.pop();
  if (found) return found;
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const W = (globalThis as unknown as { Worker: new (url: string) => BunWorker }).Worker;
  return new W(workerUrl);
}

/** Runs one blocking call on a worker thread; copies the buffers' new contents back. */
function callOnWorker(path: string, name: string, spec: SymbolSpec, args: unknown[]) {
  const worker = takeWorker();
  worker.ref();
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => {
      const reply = data as { result: unknown; error?: string; args: unknown[] };
      worker.onmessage = null;
      worker.unref();
      idle.push(worker);
      args.forEach((arg, i) => {
        if (ArrayBuffer.isView(arg)) {
          new Uint8Array(arg.buffer, arg.byteOffset, arg.byteLength)
            .set(reply.args[i] as Uint8Array);
        }
      });
      if (reply.error !== undefined) reject(new Error(reply.error));
      else resolve(reply.result);
    };
    // Typed arrays go over as bytes, so that the copy back is a plain set.
    const sent = args.map((a) =>
      ArrayBuffer.isView(a) ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice() : a
    );
    worker.postMessage({ path, name, spec: bunSpec(spec), args: sent });
  });
}

/**
 * Opens a library with bun:ffi (Bun).
 *
 * @param path The library.
 * @param symbols The functions to bind, in `Deno.dlopen`'s form.
 * @returns The bound functions by name.
 *
 * @example
 * ```ts ignore
 * const f = openBun("/usr/lib/libnook_shim.so", { nook_abi_version: { parameters: [], result: "i32" } });
 * console.log(f.nook_abi_version());
 * ```
 */
export function openBun(path: string, symbols: Record<string, SymbolSpec>): Record<string, AnyFn> {
  const ffi = proc().getBuiltinModule("bun:ffi") as {
    dlopen(path: string, defs: Record<string, unknown>): { symbols: Record<string, AnyFn> };
  };
  const sync = Object.entries(symbols).filter(([, s]) => !s.nonblocking);
  const lib = ffi.dlopen(path, Object.fromEntries(sync.map(([n, s]) => [n, bunSpec(s)])));
  const out: Record<string, AnyFn> = { ...lib.symbols };
  for (const [name, spec] of Object.entries(symbols)) {
    if (spec.nonblocking) out[name] = (...args) => callOnWorker(path, name, spec, args);
  }
  return out;
}
