/**
 * The {@linkcode Sys} backend for Node (>= 20.16) and Bun, on `node:` built-ins.
 *
 * The built-ins are fetched with `process.getBuiltinModule` when the backend
 * is made, not imported: this file has no `node:` import statement, so a
 * bundle that contains it still starts as fast under Deno, which never calls
 * {@linkcode nodeSys} (see `sys.ts`).
 *
 * @module
 */
import type * as NodeFs from "node:fs";
import type * as NodeOs from "node:os";
import type * as NodeTty from "node:tty";
import type * as NodeChild from "node:child_process";
import type * as NodeNet from "node:net";
import type { CommandResult, FileInfo, Sys, SysConn } from "./sys.ts";
import { lockFile } from "./_flock_ffi.ts";
import { exclusive } from "./_exclusive.ts";
import { blockingStream } from "./_blocking_stream.ts";

interface NodeProcess {
  env: Record<string, string | undefined>;
  pid: number;
  execPath: string;
  argv: string[];
  versions: Record<string, string | undefined>;
  getuid(): number;
  getgid(): number;
  kill(pid: number, signal: string): void;
  on(event: string, fn: () => void): void;
  off(event: string, fn: () => void): void;
  getBuiltinModule(name: string): unknown;
  stdin: { isTTY?: boolean; setRawMode?(raw: boolean): void; pause(): void };
  stdout: { isTTY?: boolean; columns?: number; rows?: number };
}

/** The `process` global of Node and Bun. */
export function nodeProcess(): NodeProcess {
  return (globalThis as unknown as { process: NodeProcess }).process;
}

function orNull<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: string }).code;
    // ESRCH: a /proc file of a process that was reaped after the open.
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ESRCH") return null;
    throw err;
  }
}

/**
 * Makes the backend (Node and Bun differ only in `runtime`).
 *
 * @returns The runtime services on `node:` built-ins.
 *
 * @example
 * ```ts ignore
 * import { nodeSys } from "./sys_node.ts";
 * const sys = nodeSys();
 * sys.stdout(`${sys.runtime} ${sys.pid()}\n`);
 * ```
 */
export function nodeSys(): Sys {
  const proc = nodeProcess();
  const fs = proc.getBuiltinModule("node:fs") as typeof NodeFs;
  const os = proc.getBuiltinModule("node:os") as typeof NodeOs;
  const tty = proc.getBuiltinModule("node:tty") as typeof NodeTty;
  const info = (s: NodeFs.Stats): FileInfo => ({
    isDirectory: s.isDirectory(),
    isFile: s.isFile(),
    isSymlink: s.isSymbolicLink(),
    mode: s.mode,
    uid: s.uid,
    gid: s.gid,
    isCharDevice: s.isCharacterDevice(),
    mtimeMs: s.mtimeMs,
    isBlockDevice: s.isBlockDevice(),
    rdev: s.rdev,
    nlink: s.nlink,
    dev: s.dev,
    ino: s.ino,
    size: s.size,
    isFifo: s.isFIFO(),
    atimeMs: s.atimeMs,
  });
  const openUp = (path: string): void => {
    const st = fs.lstatSync(path);
    if (!st.isDirectory()) return;
    if (st.uid === proc.getuid()) fs.chmodSync(path, 0o700);
    for (const e of fs.readdirSync(path, { withFileTypes: true })) {
      if (e.isDirectory()) openUp(`${path}/${e.name}`);
    }
  };
  /** Writes all of `text` to a standard fd, also when it is a nonblocking pipe. */
  const writeAll = (fd: number, data: string | Uint8Array): void => {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let off = 0;
    while (off < bytes.length) {
      try {
        off += fs.writeSync(fd, bytes, off);
      } catch (err) {
        if ((err as { code?: string }).code !== "EAGAIN") throw err;
      }
    }
  };
  return {
    runtime: proc.versions.bun ? "bun" : "node",
    version: (proc.versions.bun ?? proc.versions.node)!,
    env: (name) => proc.env[name],
    envAll: () =>
      Object.fromEntries(
        Object.entries(proc.env).filter((e): e is [string, string] => e[1] !== undefined),
      ),
    setEnv: (name, value) => {
      proc.env[name] = value;
    },
    uid: () => proc.getuid(),
    gid: () => proc.getgid(),
    readText: (path) => orNull(() => fs.readFileSync(path, "utf8")),
    readBytes: (path) => orNull(() => new Uint8Array(fs.readFileSync(path))),
    writeText: (path, text, mode) => fs.writeFileSync(path, text, { mode }),
    writeFile(path, data, options = {}) {
      const fd = fs.openSync(
        path,
        options.append ? (options.createNew ? "ax" : "a") : options.createNew ? "wx" : "w",
        options.mode,
      );
      try {
        fs.writeFileSync(fd, data);
        if (options.fsync) fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
    rename: (from, to) => fs.renameSync(from, to),
    createFile(path, mode) {
      let fd: number;
      try {
        fd = fs.openSync(path, "wx", mode);
      } catch (err) {
        if ((err as { code?: string }).code === "EEXIST") return null;
        throw err;
      }
      let position = 0;
      return {
        write(bytes) {
          for (let at = 0; at < bytes.length;) {
            const n = fs.writeSync(fd, bytes, at, bytes.length - at, position);
            at += n;
            position += n;
          }
        },
        seek: (offset) => void (position = offset),
        truncate: (size) => fs.ftruncateSync(fd, size),
        sync: () => fs.fsyncSync(fd),
        close: () => fs.closeSync(fd),
      };
    },
    readStream: (path) => orNull(() => fdStream(fs, fs.openSync(path, "r"), true)),
    stdinStream: (options) =>
      options?.blockingReads
        ? blockingStream(
          (buf) => fs.readSync(0, buf),
          options.blockingReads,
          options.reuseBuffers ?? 0,
        )
        : fdStream(fs, 0, false),
    writeStream(path, options = {}) {
      const fd = fs.openSync(path, options.createNew ? "wx" : "w", options.mode);
      return fdSink(fs, fd, true);
    },
    stdoutStream: () => fdSink(fs, 1, false),
    syncFile(path) {
      const fd = fs.openSync(path, "r+");
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
    openRead(path) {
      const fd = orNull(() => fs.openSync(path, "r"));
      if (fd === null) return null;
      return {
        read: (buf) =>
          new Promise((resolve, reject) =>
            fs.read(
              fd,
              buf,
              0,
              buf.length,
              null,
              (err, n) => err ? reject(err) : resolve(n || null),
            )
          ),
        close: () => fs.closeSync(fd),
      };
    },
    mkdir: (path, mode) => exclusive(() => fs.mkdirSync(path, { mode })),
    rmdir: (path) => fs.rmdirSync(path),
    symlink: (target, path) => exclusive(() => fs.symlinkSync(target, path)),
    link: (target, path) => exclusive(() => fs.linkSync(target, path)),
    umask: () => (proc as unknown as { umask(): number }).umask(),
    realPath: (path) => fs.realpathSync(path),
    chmod: (path, mode) => fs.chmodSync(path, mode),
    probeOpen: (path) => fs.closeSync(fs.openSync(path, "r+")),
    runSync(cmd, args) {
      const cp = proc.getBuiltinModule("node:child_process") as typeof NodeChild;
      const out = cp.spawnSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
      if (out.error) throw out.error;
      const dec = new TextDecoder();
      return {
        code: out.signal ? 128 + (os.constants.signals[out.signal] ?? 0) : out.status ?? 0,
        stdout: dec.decode(out.stdout),
        stderr: dec.decode(out.stderr),
      };
    },
    cwd: () => (proc as unknown as { cwd(): string }).cwd(),
    lock: (path) => lockFile(fs, path),
    mkdirp: (path, mode) => void fs.mkdirSync(path, { recursive: true, mode }),
    makeTempDir: (dir, prefix) => fs.mkdtempSync(`${dir}/${prefix}`),
    remove(path) {
      try {
        fs.rmSync(path, { recursive: true, force: true });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code !== "EACCES" && code !== "EPERM") throw err;
        // Our own directories left without permissions (overlay's work/work is mode 000).
        openUp(path);
        fs.rmSync(path, { recursive: true, force: true });
      }
    },
    lstat: (path) => orNull(() => info(fs.lstatSync(path))),
    stat: (path) => orNull(() => info(fs.statSync(path))),
    readLink: (path) => fs.readlinkSync(path),
    readDir: (path) => orNull(() => fs.readdirSync(path)) ?? [],
    pid: () => proc.pid,
    arch: os.arch() === "arm64" ? "aarch64" : os.arch() === "x64" ? "x86_64" : os.arch(),
    execPath: () => proc.execPath,
    args: () => proc.argv.slice(2),
    exit(code) {
      (proc as unknown as { exit(code: number): never }).exit(code);
      throw new Error("unreachable");
    },
    run(cmd, args, options = {}) {
      const cp = proc.getBuiltinModule("node:child_process") as typeof NodeChild;
      return new Promise<CommandResult>((resolve, reject) => {
        const stderr = options.stderr === "null" ? "ignore" : "pipe";
        const stdin = options.input === undefined ? "ignore" : "pipe";
        const child = cp.spawn(cmd, args, { stdio: [stdin, "pipe", stderr] });
        if (options.input !== undefined) {
          child.stdin!.on("error", () => {}); // a program that exits without reading: its code tells
          child.stdin!.end(options.input);
        }
        const out: Uint8Array[] = [];
        const err: Uint8Array[] = [];
        child.stdout!.on("data", (b: Uint8Array) => out.push(b));
        child.stderr?.on("data", (b: Uint8Array) => err.push(b));
        child.on("error", reject);
        child.on("close", (code, signal) => {
          const dec = new TextDecoder();
          resolve({
            code: signal ? 128 + (os.constants.signals[signal] ?? 0) : code ?? 0,
            stdout: dec.decode(concat(out)),
            stderr: dec.decode(concat(err)),
          });
        });
      });
    },
    kill: (pid, signal) => proc.kill(pid, signal),
    onSignal(signal, fn) {
      proc.on(signal, fn);
      return () => proc.off(signal, fn);
    },
    isTerminal: (fd) => tty.isatty(fd),
    terminalSize() {
      const out = proc.stdout;
      return out.isTTY && out.columns && out.rows ? { rows: out.rows, columns: out.columns } : null;
    },
    setRaw(raw) {
      proc.stdin.setRawMode?.(raw);
      if (!raw) proc.stdin.pause();
    },
    stderr: (data) => writeAll(2, data),
    stdout: (data) => writeAll(1, data),
    connectUnix: (path) =>
      connectUnix(proc.getBuiltinModule("node:net") as typeof NodeNet, fs, path),
    osRelease: () => os.release(),
  };
}

/**
 * A unix socket as a pull-based {@linkcode SysConn} (what nook's attach code reads).
 * Node destroys a socket on a failed write (EPIPE or ECONNRESET once the peer closed), and
 * what the peer sent before, still in the kernel's buffer, would be lost with it: so writes
 * go to the socket's fd directly, where a failure is only the write's, as on Deno.
 */
function connectUnix(net: typeof NodeNet, fs: typeof NodeFs, path: string): Promise<SysConn> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path });
    const chunks: Uint8Array[] = [];
    let ended = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const poke = () => {
      wake?.();
      wake = undefined;
    };
    socket.on("data", (b: Uint8Array) => {
      chunks.push(b);
      poke();
    });
    socket.on("end", () => {
      ended = true;
      poke();
    });
    socket.on("error", (err) => {
      failure = err;
      ended = true;
      poke();
      reject(err);
    });
    socket.once("connect", () =>
      resolve({
        async read(buf) {
          while (chunks.length === 0 && !ended) await new Promise<void>((r) => wake = r);
          if (chunks.length === 0) {
            if (failure) throw failure;
            return null;
          }
          const head = chunks[0];
          const n = Math.min(head.length, buf.length);
          buf.set(head.subarray(0, n));
          if (n === head.length) chunks.shift();
          else chunks[0] = head.subarray(n);
          return n;
        },
        async write(bytes) {
          const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
          if (fd === undefined || fd < 0) {
            return await new Promise((res, rej) =>
              socket.write(bytes, (err) => err ? rej(err) : res(bytes.length))
            );
          }
          for (;;) {
            try {
              return fs.writeSync(fd, bytes);
            } catch (err) {
              if ((err as { code?: string }).code !== "EAGAIN") throw err;
              await new Promise((r) => setTimeout(r, 1)); // the fd is nonblocking: wait for room
            }
          }
        },
        close: () => socket.destroy(),
      }));
  });
}

/**
 * An fd's bytes as a stream. Reads are asynchronous (libuv's pool), so a
 * pipe on stdin does not block the event loop.
 */
function fdStream(fs: typeof NodeFs, fd: number, close: boolean): ReadableStream<Uint8Array> {
  const done = () => {
    if (close) fs.closeSync(fd);
  };
  return new ReadableStream({
    async pull(controller) {
      const buf = new Uint8Array(65536);
      let n: number;
      try {
        n = await new Promise<number>((resolve, reject) =>
          fs.read(fd, buf, 0, buf.length, null, (err, count) => err ? reject(err) : resolve(count))
        );
      } catch (err) {
        done();
        controller.error(err);
        return;
      }
      if (n === 0) {
        done();
        controller.close();
      } else {
        controller.enqueue(buf.subarray(0, n));
      }
    },
    cancel: done,
  });
}

/**
 * An fd as a stream sink. Writes are asynchronous (libuv's pool); on a
 * nonblocking pipe that is full, they wait and try again.
 */
function fdSink(fs: typeof NodeFs, fd: number, close: boolean): WritableStream<Uint8Array> {
  const done = () => {
    if (close) fs.closeSync(fd);
  };
  return new WritableStream({
    async write(chunk) {
      let off = 0;
      while (off < chunk.length) {
        try {
          off += await new Promise<number>((resolve, reject) =>
            fs.write(
              fd,
              chunk,
              off,
              chunk.length - off,
              null,
              (err, n) => err ? reject(err) : resolve(n),
            )
          );
        } catch (err) {
          if ((err as { code?: string }).code !== "EAGAIN") {
            done();
            throw err;
          }
          await new Promise((r) => setTimeout(r, 1));
        }
      }
    },
    close: done,
    abort: done,
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}
