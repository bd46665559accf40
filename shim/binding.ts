/**
 * The one binding to the C shim. It loads the library with `Deno.dlopen`
 * under Deno, koffi under Node and bun:ffi under Bun (`binding_ffi.ts`), all
 * from the same symbol tables into the same {@linkcode Shim}. Blocking calls
 * (release, wait, read, relay) are nonblocking FFI calls that run on a worker
 * thread, so the event loop keeps going.
 *
 * This module imports nothing from `lib/`.
 *
 * @module
 */
import { ABI } from "./protocol.ts";
import { openBun, openKoffi, type SymbolSpec } from "./binding_ffi.ts";
import { type CacheFs, embeddedFilePath, isCompiled, useRemoteFiles } from "./embedded_files.ts";

/** Deno, or else the `process` of Node and Bun (this module imports nothing from lib/sys). */
const onDeno = typeof Deno === "object" && Boolean(Deno?.version?.deno);

interface NodeProcess {
  env: Record<string, string | undefined>;
  arch: string;
  versions: Record<string, string | undefined>;
  getBuiltinModule(name: string): unknown;
}

function nodeProcess(): NodeProcess {
  return (globalThis as unknown as { process: NodeProcess }).process;
}

function envVar(name: string): string | undefined {
  return onDeno ? Deno.env.get(name) : nodeProcess().env[name];
}

function isFile(path: string): boolean {
  try {
    if (onDeno) return Deno.statSync(path).isFile;
    const fs = nodeProcess().getBuiltinModule("node:fs") as {
      statSync(p: string): { isFile(): boolean };
    };
    return fs.statSync(path).isFile();
  } catch {
    return false;
  }
}

/** What `spawn` hands back. */
export interface SpawnedChild {
  /** Pid of the child, in nook's pid namespace. */
  pid: number;
  /** A pidfd for the child, or -1 on kernels without clone3. */
  pidfd: number;
  /** Parent end of the control socket (pass it to `release`). */
  ctl: number;
}

/** What `release` hands back. */
export interface Release {
  /** 0: the child called execve; 1: a step failed; 2: the child died before it was released. */
  result: number;
  /** Index of the failed step. */
  step: number;
  /** errno of the failed step. */
  errno: number;
  /** Operation of the failed step. */
  op: number;
  /** The pty master the child sent, or -1. */
  ptyFd: number;
  /**
   * After a clone step (`Op.CLONE`): the pid of the sibling that took over,
   * which is the process to wait for from then on (also when a later step
   * failed), else 0. The spawned child has exited by then.
   */
  pid: number;
  /** Its pidfd (the caller closes it), or -1. */
  pidfd: number;
}

/** What `netSpawn` hands back: a network helper that runs, not yet ready. */
export interface NetHelperChild {
  /** Its pid (a child of this process until reaped with `wait`). */
  pid: number;
  /** Read end of its ready pipe (pass it to `netReady`, which closes it). */
  readyFd: number;
  /** Write end of its exit pipe: closing it tells slirp4netns to exit. */
  exitFd: number;
}

/** The shim's entry points. Negative numbers are -errno. */
export interface Shim {
  /** Path of the loaded library. */
  readonly path: string;
  /** Clones the child, which waits for `release`. Returns -errno on failure. */
  spawn(program: Uint8Array): SpawnedChild | number;
  /** Lets the child run its steps; resolves on exec (EOF) or the first failure. */
  release(ctl: number): Promise<Release>;
  /** Reaps the child; resolves to the raw wait status. */
  wait(pid: number): Promise<number>;
  /** Copies `inFd` -> master and master -> `outFd` until the container closes the pty. */
  ptyRelay(master: number, inFd: number, outFd: number): Promise<number>;
  /** Sets a terminal's window size. */
  setWinsize(fd: number, rows: number, cols: number): number;
  /** A close-on-exec pipe: [read end, write end], or -errno. */
  pipe(): [number, number] | number;
  /** Sets a pipe's capacity (F_SETPIPE_SZ): the new size, or -errno (EPERM past the user's quota). */
  setPipeSize(fd: number, bytes: number): number;
  /** Reads into `buf`; resolves to the count, 0 at EOF, or -errno. */
  read(fd: number, buf: Uint8Array): Promise<number>;
  /** Writes from `buf`; resolves to the count or -errno. */
  write(fd: number, buf: Uint8Array): Promise<number>;
  /** Closes a file descriptor. */
  close(fd: number): number;
  /** mknod(2); a whiteout is a character device 0:0. 0 or -errno. */
  mknod(path: string, mode: number, major: number, minor: number): number;
  /** lsetxattr(2). 0 or -errno. */
  lsetxattr(path: string, name: string, value: Uint8Array): number;
  /** lgetxattr(2): the value, or -errno. */
  lgetxattr(path: string, name: string): Uint8Array | number;
  /** lchown(2). 0 or -errno. */
  lchown(path: string, uid: number, gid: number): number;
  /** utimensat(AT_SYMLINK_NOFOLLOW), times in ns. 0 or -errno. */
  lutimes(path: string, atimeNs: bigint, mtimeNs: bigint): number;
  /** chattr +T (FS_TOPDIR_FL) on a directory: 0 or -errno (ENOTTY where there is no such flag). */
  setTopDir(path: string): number;
  /** Runs a helper program (absolute path first) to completion: its wait status or -errno, and its stderr. */
  runHelper(argv: readonly string[]): Promise<{ status: number; stderr: string }>;
  /** pidfd_open(2): a close-on-exec pidfd, or -errno (ESRCH when there is no such process). */
  pidfdOpen(pid: number): number;
  /** pidfd_send_signal(2) with a signal number: 0, or -errno (ESRCH once the process has ended). */
  pidfdSignal(pidfd: number, signal: number): number;
  /** A close-on-exec fd of a cgroup directory, for a program's `cgroupFd`; or -errno. */
  cgroupOpen(path: string): number;
  /** The `CLONE_NEW*` type of a namespace file, or -errno (ENOTTY: not a namespace file). */
  nsType(path: string): number;
  /**
   * The user namespace that owns a namespace file: null when it is nook's own,
   * else the text of its uid_map, gid_map and setgroups files (ids outside as
   * its parent namespace sees them); or -errno (ENOTTY: not a namespace file).
   */
  nsOwnerMaps(path: string): [string, string, string] | null | number;
  /**
   * Starts a network helper (absolute path first; "{pid}" in an argument becomes `target`) with
   * stdin and stdout on /dev/null, stderr appended to `log`, a ready pipe as fd 3 and an exit
   * pipe as fd 4; it gets SIGKILL when the calling thread ends. The helper or -errno.
   */
  netSpawn(argv: readonly string[], target: number, log: string): NetHelperChild | number;
  /** Waits until the helper writes to its ready pipe: 0, -ETIMEDOUT, -EPIPE (it ended first). */
  netReady(readyFd: number, timeoutMs: number): Promise<number>;
  /** One request and its reply on a unix stream socket: the reply, or -errno. */
  netRequest(path: string, request: string): Promise<string | number>;
  /** Binds `ip`:`port` (tcp or udp) and lets go: the port (a free one for 0), or -errno. */
  portProbe(protocol: "tcp" | "udp", ip: string, port: number): number;
}

/* Symbols in groups, bound on first use: Deno.dlopen costs about 0.15 ms per symbol, and a
 * plain `nook run` needs only the core ones. */
const CORE = {
  nook_abi_version: { parameters: [], result: "i32" },
  nook_spawn: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
  nook_release: { parameters: ["i32", "buffer"], result: "i32", nonblocking: true },
  nook_wait: { parameters: ["i32", "buffer"], result: "i32", nonblocking: true },
  nook_close: { parameters: ["i32"], result: "i32" },
  nook_run_helper: {
    parameters: ["buffer", "u32", "u32", "buffer", "u32"],
    result: "i32",
    nonblocking: true,
  },
} as const;

const IO = {
  nook_pty_relay: { parameters: ["i32", "i32", "i32"], result: "i32", nonblocking: true },
  nook_set_winsize: { parameters: ["i32", "i32", "i32"], result: "i32" },
  nook_pipe: { parameters: ["buffer"], result: "i32" },
  nook_pipe_size: { parameters: ["i32", "i32"], result: "i32" },
  nook_read: { parameters: ["i32", "buffer", "u32"], result: "i32", nonblocking: true },
  nook_write: { parameters: ["i32", "buffer", "u32"], result: "i32", nonblocking: true },
} as const;

const FS = {
  nook_fs_mknod: { parameters: ["buffer", "u32", "u32", "u32"], result: "i32" },
  nook_fs_lsetxattr: { parameters: ["buffer", "buffer", "buffer", "u32"], result: "i32" },
  nook_fs_lgetxattr: { parameters: ["buffer", "buffer", "buffer", "u32"], result: "i32" },
  nook_fs_lchown: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  nook_fs_lutimes: { parameters: ["buffer", "i64", "i64"], result: "i32" },
  nook_fs_set_topdir: { parameters: ["buffer"], result: "i32" },
} as const;

// A process's pidfd and a cgroup's directory fd: one group, as `exec` (and `run`) uses both, and
// each Deno.dlopen costs about 0.3 ms more than a symbol in one.
const PROC = {
  nook_pidfd_open: { parameters: ["i32"], result: "i32" },
  nook_pidfd_signal: { parameters: ["i32", "i32"], result: "i32" },
  nook_cgroup_open: { parameters: ["buffer"], result: "i32" },
} as const;

const NS = {
  nook_ns_type: { parameters: ["buffer"], result: "i32" },
  nook_ns_owner_maps: { parameters: ["buffer", "buffer", "u32"], result: "i32" },
} as const;

const NET = {
  nook_net_spawn: {
    parameters: ["buffer", "u32", "u32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  nook_net_ready: { parameters: ["i32", "i32"], result: "i32", nonblocking: true },
  nook_net_request: {
    parameters: ["buffer", "buffer", "u32", "buffer", "u32"],
    result: "i32",
    nonblocking: true,
  },
  nook_port_probe: { parameters: ["i32", "buffer", "i32"], result: "i32" },
} as const;

/** Error thrown when the shim library cannot be found or does not fit. */
export class ShimLoadError extends Error {
  /** @param message What is missing and how to build it. */
  constructor(message: string) {
    super(message);
    this.name = "ShimLoadError";
  }
}

/** nook was loaded from a URL and its entry did not call {@linkcode prepareShim}. */
function notPrepared(name: string): ShimLoadError {
  return new ShimLoadError(
    `nook's '${name}' has not been fetched from '${new URL("./build/", import.meta.url).href}': ` +
      "nook was loaded from a URL, and its entry point must await 'prepareShim()' first " +
      "(mod.ts and cli/main.ts do): import nook through mod.ts",
  );
}

function archName(): string {
  const arch = onDeno ? Deno.build.arch : nodeProcess().arch;
  return arch === "aarch64" || arch === "arm64" ? "aarch64" : "x86_64";
}

/**
 * Where the shim library is: `NOOK_SHIM_PATH`, else the copy in the per-user
 * cache of the one embedded in a compiled nook or fetched by
 * {@linkcode prepareShim} (`embedded_files.ts`), else
 * `shim/build/` beside this file (running from the sources), else
 * `../shim/build/` (running from the bundle in `dist/`), else
 * `../../shim/build/` (a command's bundle in `dist/cmd/`).
 *
 * @returns The path of the library for this machine's architecture.
 *
 * @example
 * ```ts
 * import { shimPath } from "./binding.ts";
 * console.assert(shimPath().endsWith(".so"));
 * ```
 */
export function shimPath(): string {
  const env = envVar("NOOK_SHIM_PATH");
  if (env) return env;
  const name = `libnook_shim-${archName()}.so`;
  const cached = embeddedFilePath(name);
  if (cached) return cached;
  if (isRemote()) throw notPrepared(name);
  const candidates = [
    new URL(`./build/${name}`, import.meta.url),
    new URL(`../shim/build/${name}`, import.meta.url),
    new URL(`../../shim/build/${name}`, import.meta.url),
  ]
    .map((u) => decodeURIComponent(u.pathname));
  return candidates.find(isFile) ?? candidates[0];
}

/** Whether this module was loaded from a URL (e.g. JSR's `https://jsr.io/...`), not a file. */
function isRemote(): boolean {
  return /^https?:/.test(import.meta.url);
}

/**
 * Makes the shim and the monitor ready for {@linkcode loadShim} and
 * {@linkcode monitorPath} when nook was loaded from a URL: `Deno.dlopen` and
 * spawning need local files, so it fetches `build/libnook_shim-<arch>.so`
 * and `build/nook-monitor-<arch>` beside this module from the same server
 * into the per-user cache (`embedded_files.ts`), once per process. Loaded
 * from files (a checkout, a bundle, a compiled nook) it does nothing, and
 * so for a file that `NOOK_SHIM_PATH` or `NOOK_MONITOR_PATH` names.
 *
 * @param fs File operations for the cache (nook's `sys`).
 * @throws {EmbeddedFileError} When a file cannot be fetched (the message names
 * its URL), or the cache directory is not safe or cannot be written.
 *
 * @example
 * ```ts ignore
 * import { sys } from "../lib/sys/sys.ts";
 * await prepareShim(sys);
 * const shim = loadShim();
 * ```
 */
export async function prepareShim(fs: CacheFs): Promise<void> {
  if (!isRemote()) return;
  const files: Record<string, URL> = {};
  if (!envVar("NOOK_SHIM_PATH")) {
    const name = `libnook_shim-${archName()}.so`;
    files[name] = new URL(`./build/${name}`, import.meta.url);
  }
  if (!envVar("NOOK_MONITOR_PATH")) {
    const name = `nook-monitor-${archName()}`;
    files[name] = new URL(`./build/${name}`, import.meta.url);
  }
  await useRemoteFiles(files, fs);
}

function open<S extends Deno.ForeignLibraryInterface>(
  path: string,
  symbols: S,
): Deno.DynamicLibrary<S>["symbols"] {
  try {
    // NOOK_DENO_ONLY: set in the Deno bundles, which then leave the FFI backends out.
    return (globalThis as { NOOK_DENO_ONLY?: boolean }).NOOK_DENO_ONLY || onDeno
      ? Deno.dlopen(path, symbols).symbols
      : (nodeProcess().versions.bun ? openBun : openKoffi)(
        path,
        symbols as unknown as Record<string, SymbolSpec>,
      ) as unknown as Deno.DynamicLibrary<S>["symbols"];
  } catch (err) {
    throw new ShimLoadError(
      `Cannot load nook's shim from '${path}': ${(err as Error).message}; ` +
        (isCompiled()
          ? "its cache directory may be on a file system mounted noexec: set XDG_CACHE_HOME " +
            "to a directory of yours on another one"
          : "build it with 'deno task build' (needs a C compiler)"),
    );
  }
}

function loadDeno(path: string): Shim {
  const f = open(path, CORE);
  const abi = f.nook_abi_version();
  if (abi !== ABI) {
    throw new ShimLoadError(
      `Shim '${path}' speaks ABI ${abi}, nook needs ${ABI}; rebuild it with 'deno task build'`,
    );
  }
  let ioSymbols: Deno.DynamicLibrary<typeof IO>["symbols"] | undefined;
  let fsSymbols: Deno.DynamicLibrary<typeof FS>["symbols"] | undefined;
  let procSymbols: Deno.DynamicLibrary<typeof PROC>["symbols"] | undefined;
  let nsSymbols: Deno.DynamicLibrary<typeof NS>["symbols"] | undefined;
  const proc = () => procSymbols ??= open(path, PROC);
  const io = () => ioSymbols ??= open(path, IO);
  const fs = () => fsSymbols ??= open(path, FS);
  const ns = () => nsSymbols ??= open(path, NS);
  let netSymbols: Deno.DynamicLibrary<typeof NET>["symbols"] | undefined;
  const net = () => netSymbols ??= open(path, NET);
  return {
    path,
    spawn(program) {
      const out = new Int32Array(3);
      const r = f.nook_spawn(program, program.length, out);
      return r < 0 ? r : { pid: out[0], pidfd: out[1], ctl: out[2] };
    },
    async release(ctl) {
      const out = new Int32Array(7);
      const r = await f.nook_release(ctl, out);
      if (r < 0) return { result: 2, step: 0, errno: -r, op: 0, ptyFd: -1, pid: 0, pidfd: -1 };
      const [result, step, errno, op, ptyFd, pid, pidfd] = out;
      return { result, step, errno, op, ptyFd, pid, pidfd };
    },
    async wait(pid) {
      const out = new Int32Array(1);
      const r = await f.nook_wait(pid, out);
      return r < 0 ? r : out[0];
    },
    ptyRelay: (master, inFd, outFd) => io().nook_pty_relay(master, inFd, outFd),
    setWinsize: (fd, rows, cols) => io().nook_set_winsize(fd, rows, cols),
    pipe() {
      const out = new Int32Array(2);
      const r = io().nook_pipe(out);
      return r < 0 ? r : [out[0], out[1]];
    },
    setPipeSize: (fd, bytes) => io().nook_pipe_size(fd, bytes),
    read: (fd, buf) => io().nook_read(fd, buf, buf.length),
    write: (fd, buf) => io().nook_write(fd, buf, buf.length),
    close: (fd) => f.nook_close(fd),
    mknod: (path, mode, major, minor) => fs().nook_fs_mknod(cstr(path), mode, major, minor),
    lsetxattr: (path, name, value) =>
      fs().nook_fs_lsetxattr(cstr(path), cstr(name), value, value.length),
    lgetxattr(path, name) {
      const buf = new Uint8Array(65536);
      const n = fs().nook_fs_lgetxattr(cstr(path), cstr(name), buf, buf.length);
      return n < 0 ? n : buf.slice(0, n);
    },
    lchown: (path, uid, gid) => fs().nook_fs_lchown(cstr(path), uid, gid),
    lutimes: (path, a, m) => fs().nook_fs_lutimes(cstr(path), a, m),
    setTopDir: (path) => fs().nook_fs_set_topdir(cstr(path)),
    pidfdOpen: (pid) => proc().nook_pidfd_open(pid),
    pidfdSignal: (fd, signal) => proc().nook_pidfd_signal(fd, signal),
    cgroupOpen: (path) => proc().nook_cgroup_open(cstr(path)),
    nsType: (path) => ns().nook_ns_type(cstr(path)),
    nsOwnerMaps(path) {
      const buf = new Uint8Array(16384);
      const n = ns().nook_ns_owner_maps(cstr(path), buf, buf.length);
      if (n <= 0) return n === 0 ? null : n;
      const [uid = "", gid = "", setgroups = ""] = new TextDecoder().decode(buf.subarray(0, n))
        .split("\0");
      return [uid, gid, setgroups];
    },
    netSpawn(argv, target, log) {
      const blob = encoder.encode(argv.map((a) => a + "\0").join(""));
      const out = new Int32Array(3);
      // A synchronous call: the helper's parent-death signal follows this (the main) thread.
      const r = net().nook_net_spawn(blob, blob.length, argv.length, target, cstr(log), out);
      return r < 0 ? r : { pid: out[0], readyFd: out[1], exitFd: out[2] };
    },
    netReady: (fd, timeoutMs) => net().nook_net_ready(fd, timeoutMs),
    async netRequest(path, request) {
      const req = encoder.encode(request);
      const reply = new Uint8Array(4096);
      const n = await net().nook_net_request(cstr(path), req, req.length, reply, reply.length);
      return n < 0 ? n : new TextDecoder().decode(reply.subarray(0, n));
    },
    portProbe: (protocol, ip, port) =>
      net().nook_port_probe(protocol === "udp" ? 1 : 0, cstr(ip), port),
    async runHelper(argv) {
      const blob = new TextEncoder().encode(argv.map((a) => a + "\0").join(""));
      const err = new Uint8Array(4096);
      const status = await f.nook_run_helper(blob, blob.length, argv.length, err, err.length);
      const end = err.indexOf(0);
      return {
        status,
        stderr: new TextDecoder().decode(err.subarray(0, end < 0 ? err.length : end)),
      };
    },
  };
}

const encoder = new TextEncoder();
/** A NUL-terminated copy of a string, for `const char *` parameters. */
function cstr(text: string): Uint8Array {
  return encoder.encode(text + "\0");
}

let loaded: Shim | undefined;

/**
 * Loads the shim once per process.
 *
 * @returns The shim's entry points.
 * @throws {ShimLoadError} When the library is missing or of another ABI.
 *
 * @example
 * ```ts ignore
 * import { loadShim } from "./binding.ts";
 * const shim = loadShim();
 * ```
 */
export function loadShim(): Shim {
  loaded ??= loadDeno(shimPath());
  return loaded;
}

/**
 * Where the container monitor executable is: `NOOK_MONITOR_PATH`, else the
 * cached copy of the one embedded in a compiled nook or fetched by
 * {@linkcode prepareShim}, else beside the shim
 * library (`nook-monitor-<arch>`).
 *
 * @returns The path.
 *
 * @example
 * ```ts
 * import { monitorPath } from "./binding.ts";
 * console.assert(monitorPath().includes("nook-monitor"));
 * ```
 */
export function monitorPath(): string {
  const env = envVar("NOOK_MONITOR_PATH");
  if (env) return env;
  const cached = embeddedFilePath(`nook-monitor-${archName()}`);
  if (cached) return cached;
  if (isRemote()) throw notPrepared(`nook-monitor-${archName()}`);
  const lib = shimPath();
  return `${lib.slice(0, lib.lastIndexOf("/") + 1)}nook-monitor-${archName()}`;
}
