/**
 * The one place where nook touches its JavaScript runtime. Library code calls
 * {@linkcode sys} instead of `Deno.*` or `node:*`.
 *
 * Why not `node:` built-ins everywhere: under Deno 2.9 the first `node:`
 * import costs 15-20 ms of start-up (measured with hyperfine: 18.7 ms for an
 * empty script, 33.5 ms with `import "node:process"`), and nook's whole
 * `run` budget is 30 ms. So under Deno this module uses Deno's own APIs; the
 * Node and Bun backend (`sys_node.ts`) implements the same interface with
 * `node:` built-ins, fetched with `process.getBuiltinModule` so that no
 * `node:` import is ever reached under Deno. The runtime is detected once,
 * here, when the module loads ({@linkcode sys}).
 *
 * @module
 */
import { nodeProcess, nodeSys } from "./sys_node.ts";
import { exclusive } from "./_exclusive.ts";
import { blockingStream } from "./_blocking_stream.ts";

/** What `lstat` tells. */
export interface FileInfo {
  /** A directory. */
  isDirectory: boolean;
  /** A regular file. */
  isFile: boolean;
  /** A symbolic link (lstat only). */
  isSymlink: boolean;
  /** Permission bits and type, as st_mode. */
  mode: number;
  /** Owner. */
  uid: number;
  /** Group. */
  gid: number;
  /** A character device. */
  isCharDevice: boolean;
  /** Modification time in ms since the epoch. */
  mtimeMs: number;
  /** Number of hard links. */
  nlink: number;
  /** Device and inode, which name a file together. */
  dev: number;
  /** Inode number. */
  ino: number;
  /** Size in bytes. */
  size: number;
  /** A block device. */
  isBlockDevice: boolean;
  /** The device it is, for a device file (st_rdev), else 0. */
  rdev: number;
  /** A named pipe (fifo). */
  isFifo: boolean;
  /** Access time in ms since the epoch. */
  atimeMs: number;
}

/** Result of a helper program run to completion. */
export interface CommandResult {
  /** Exit code (128+N for a signal). */
  code: number;
  /** Its standard output. */
  stdout: string;
  /** Its standard error. */
  stderr: string;
}

/** Options of {@linkcode Sys.writeFile}. */
export interface WriteFileOptions {
  /** Permission bits of a new file. */
  mode?: number;
  /** Fail (EEXIST) when the file exists. */
  createNew?: boolean;
  /** fsync before closing. */
  fsync?: boolean;
  /** Append (O_APPEND) to what is there instead of replacing it. */
  append?: boolean;
}

/** A file open for writing ({@linkcode Sys.createFile}); all calls are synchronous. */
export interface SysFile {
  /** Writes all of `bytes` at the current position. */
  write(bytes: Uint8Array): void;
  /** Moves to `offset` from the start. */
  seek(offset: number): void;
  /** Sets the size. */
  truncate(size: number): void;
  /** fsync(2). */
  sync(): void;
  /** Closes it. */
  close(): void;
}

/** A stream connection ({@linkcode Sys.connectUnix}); Deno's `UnixConn` has this shape. */
export interface SysConn {
  /** Reads into `buf`: the count, or null at the end. */
  read(buf: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes`: the count written. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes it. */
  close(): void;
}

/** Options of {@linkcode Sys.run}. */
export interface RunOptions {
  /**
   * "null" for a program that leaves a daemon behind, which would hold a
   * stderr pipe open (default "piped").
   */
  stderr?: "piped" | "null";
  /** Bytes given to the program on its stdin (default: stdin is /dev/null). */
  input?: string | Uint8Array;
}

/** Options of {@linkcode Sys.writeStream}. */
export interface WriteStreamOptions {
  /** Permission bits of a new file (default 0o666 less the umask). */
  mode?: number;
  /** Fail (EEXIST) when the file exists; otherwise an existing file is truncated. */
  createNew?: boolean;
}

/** The runtime services nook uses. */
export interface Sys {
  /** Name of the runtime ("deno", "node", "bun"). */
  readonly runtime: "deno" | "node" | "bun";
  /** Version of the runtime, e.g. "2.9.6". */
  readonly version: string;
  /** Machine architecture as Linux names it ("x86_64", "aarch64"). */
  readonly arch: string;
  /** Path of the runtime's executable. */
  execPath(): string;
  /** The program's arguments (after the script). */
  args(): string[];
  /** Ends the process. */
  exit(code: number): never;
  /** An environment variable. */
  env(name: string): string | undefined;
  /** The whole environment. */
  envAll(): Record<string, string>;
  /** Sets an environment variable of this process (and of the children it starts). */
  setEnv(name: string, value: string): void;
  /** Real uid of this process. */
  uid(): number;
  /** Real gid of this process. */
  gid(): number;
  /** A file's text, or null when it does not exist. */
  readText(path: string): string | null;
  /** A file's bytes, or null when it does not exist. */
  readBytes(path: string): Uint8Array<ArrayBuffer> | null;
  /** Writes a file (not atomic). */
  writeText(path: string, text: string, mode?: number): void;
  /** Writes text or bytes to a file, with the options a store write needs. */
  writeFile(path: string, data: string | Uint8Array, options?: WriteFileOptions): void;
  /** chmod(2). */
  chmod(path: string, mode: number): void;
  /** Opens a file read-write and closes it again (a device probe); throws the open's error. */
  probeOpen(path: string): void;
  /** {@linkcode Sys.run}, blocking (for the few sync callers). */
  runSync(cmd: string, args: string[]): CommandResult;
  /**
   * Creates a file with O_CREAT|O_EXCL (never follows a symlink) for writing;
   * null when something is already there.
   */
  createFile(path: string, mode: number): SysFile | null;
  /**
   * Opens a file for reading from its current position on (a `read` at the end gives null,
   * a later one what was appended meanwhile); null when it does not exist.
   */
  openRead(path: string): Pick<SysConn, "read" | "close"> | null;
  /** A file's bytes as a stream (64 KiB reads), or null when it does not exist. */
  readStream(path: string): ReadableStream<Uint8Array> | null;
  /** A file opened for writing, as a stream; closing the stream closes the file. */
  writeStream(path: string, options?: WriteStreamOptions): WritableStream<Uint8Array>;
  /** Standard output as a stream (closing it leaves fd 1 open). */
  stdoutStream(): WritableStream<Uint8Array>;
  /**
   * fsync(2) of an existing file, written earlier through another descriptor (a staged
   * blob before its rename); throws the open's error (`code` "ENOENT" when it is gone).
   */
  syncFile(path: string): void;
  /**
   * This process's standard input as a stream. With `blockingReads`, each chunk is one
   * read(2) of up to that many bytes that blocks the calling thread: for a worker whose only
   * work is its input, it saves the hop to another thread that every asynchronous read costs.
   * With `reuseBuffers` too, the chunks are views into that many buffers used in turn: a
   * chunk's bytes are overwritten that many reads later (for a reader done with it by then).
   */
  stdinStream(
    options?: { blockingReads?: number; reuseBuffers?: number },
  ): ReadableStream<Uint8Array>;
  /** symlink(2): false when something is already there. */
  symlink(target: string, path: string): boolean;
  /** link(2): false when something is already there. */
  link(target: string, path: string): boolean;
  /** The process's umask. */
  umask(): number;
  /** realpath(3). */
  realPath(path: string): string;
  /** rename(2). */
  rename(from: string, to: string): void;
  /** The current directory. */
  cwd(): string;
  /**
   * Takes an exclusive flock(2) on `path` (made 0600 when missing), waiting
   * for other holders; resolves to the function that releases it.
   */
  lock(path: string): Promise<() => void>;
  /** `mkdir -p`. */
  mkdirp(path: string, mode?: number): void;
  /** mkdir(2) of one directory: false when something is already there. */
  mkdir(path: string, mode?: number): boolean;
  /** rmdir(2): removes an empty directory (a cgroup), throws as it fails. */
  rmdir(path: string): void;
  /** A new directory under `parent` with a random name. */
  makeTempDir(parent: string, prefix: string): string;
  /** `rm -rf` (no error when missing). */
  remove(path: string): void;
  /** lstat, or null when missing. */
  lstat(path: string): FileInfo | null;
  /** stat (follows links), or null when missing. */
  stat(path: string): FileInfo | null;
  /** A symlink's text. */
  readLink(path: string): string;
  /** Names in a directory (empty when it does not exist). */
  readDir(path: string): string[];
  /** This process's pid. */
  pid(): number;
  /** Runs a program to completion, capturing its output. */
  run(cmd: string, args: string[], options?: RunOptions): Promise<CommandResult>;
  /** Sends a signal. */
  kill(pid: number, signal: string): void;
  /** Calls `fn` on each signal; returns the function that stops listening. */
  onSignal(signal: string, fn: () => void): () => void;
  /** Whether a standard fd is a terminal. */
  isTerminal(fd: 0 | 1 | 2): boolean;
  /** Rows and columns of the terminal on stdout, or null. */
  terminalSize(): { rows: number; columns: number } | null;
  /** Puts stdin into raw mode (true) or back (false). */
  setRaw(raw: boolean): void;
  /** Writes all of it to stderr. */
  stderr(data: string | Uint8Array): void;
  /** Writes all of it to stdout. */
  stdout(data: string | Uint8Array): void;
  /** Connects to a unix stream socket. */
  connectUnix(path: string): Promise<SysConn>;
  /** The kernel release, e.g. "6.18.4". */
  osRelease(): string;
}

function info(s: Deno.FileInfo): FileInfo {
  return {
    isDirectory: s.isDirectory,
    isFile: s.isFile,
    isSymlink: s.isSymlink,
    mode: s.mode ?? 0,
    uid: s.uid ?? -1,
    gid: s.gid ?? -1,
    isCharDevice: s.isCharDevice ?? false,
    mtimeMs: s.mtime?.getTime() ?? 0,
    nlink: s.nlink ?? 1,
    dev: s.dev,
    ino: s.ino ?? 0,
    size: s.size,
    isBlockDevice: s.isBlockDevice ?? false,
    rdev: s.rdev ?? 0,
    isFifo: s.isFifo ?? false,
    atimeMs: s.atime?.getTime() ?? 0,
  };
}

function orNull<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return null;
    }
    // A /proc file of a process that was reaped after the open: gone as well.
    const e = err as { code?: string; message?: string };
    if (e.code === "ESRCH" || /\(os error 3\)/.test(e.message ?? "")) return null;
    throw err;
  }
}

/** chmod u+rwx every directory we own below `path`, so that it can be removed. */
function openUp(path: string): void {
  const st = Deno.lstatSync(path);
  if (!st.isDirectory) return;
  if (st.uid === Deno.uid()) Deno.chmodSync(path, 0o700);
  for (const entry of Deno.readDirSync(path)) {
    if (entry.isDirectory) openUp(`${path}/${entry.name}`);
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function denoSys(): Sys {
  return {
    runtime: "deno",
    version: Deno.version.deno,
    arch: Deno.build.arch,
    execPath: () => Deno.execPath(),
    args: () => Deno.args,
    exit: (code) => Deno.exit(code),
    env: (name) => Deno.env.get(name),
    envAll: () => Deno.env.toObject(),
    setEnv: (name, value) => Deno.env.set(name, value),
    uid: () => Deno.uid() ?? 0,
    gid: () => Deno.gid() ?? 0,
    readText: (path) => orNull(() => Deno.readTextFileSync(path)),
    readBytes: (path) => orNull(() => Deno.readFileSync(path)),
    writeText: (path, text, mode) => Deno.writeTextFileSync(path, text, { mode }),
    writeFile(path, data, options = {}) {
      const bytes = typeof data === "string" ? enc.encode(data) : data;
      const file = Deno.openSync(path, {
        write: true,
        create: true,
        truncate: !options.createNew && !options.append,
        append: options.append,
        createNew: options.createNew,
        mode: options.mode,
      });
      try {
        for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
        if (options.fsync) file.syncSync();
      } finally {
        file.close();
      }
    },
    rename: (from, to) => Deno.renameSync(from, to),
    createFile(path, mode) {
      let file: Deno.FsFile;
      try {
        file = Deno.openSync(path, { write: true, createNew: true, mode });
      } catch (err) {
        if (err instanceof Deno.errors.AlreadyExists) return null;
        throw err;
      }
      return {
        write(bytes) {
          for (let at = 0; at < bytes.length;) at += file.writeSync(bytes.subarray(at));
        },
        seek: (offset) => void file.seekSync(offset, Deno.SeekMode.Start),
        truncate: (size) => file.truncateSync(size),
        sync: () => file.syncSync(),
        close: () => file.close(),
      };
    },
    readStream: (path) => orNull(() => Deno.openSync(path).readable),
    writeStream: (path, options = {}) =>
      Deno.openSync(path, {
        write: true,
        create: true,
        truncate: !options.createNew,
        createNew: options.createNew,
        mode: options.mode,
      }).writable,
    stdoutStream: () =>
      new WritableStream({
        write: (chunk) => {
          let off = 0;
          while (off < chunk.length) off += Deno.stdout.writeSync(chunk.subarray(off));
        },
      }),
    syncFile(path) {
      const file = Deno.openSync(path, { read: true, write: true });
      try {
        file.syncSync();
      } finally {
        file.close();
      }
    },
    openRead: (path) => orNull(() => Deno.openSync(path)),
    stdinStream: (options) =>
      options?.blockingReads
        ? blockingStream(
          (buf) => Deno.stdin.readSync(buf) ?? 0,
          options.blockingReads,
          options.reuseBuffers ?? 0,
        )
        : Deno.stdin.readable,
    symlink: (target, path) => exclusive(() => Deno.symlinkSync(target, path)),
    link: (target, path) => exclusive(() => Deno.linkSync(target, path)),
    umask: () => Deno.umask(),
    realPath: (path) => Deno.realPathSync(path),
    chmod: (path, mode) => Deno.chmodSync(path, mode),
    probeOpen: (path) => Deno.openSync(path, { read: true, write: true }).close(),
    runSync(cmd, args) {
      const out = new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
        .outputSync();
      return {
        code: out.signal ? 128 + (out.code || 0) : out.code,
        stdout: dec.decode(out.stdout),
        stderr: dec.decode(out.stderr),
      };
    },
    cwd: () => Deno.cwd(),
    async lock(path) {
      const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
      try {
        await file.lock(true);
      } catch (err) {
        file.close();
        throw err;
      }
      return () => file.close(); // closing releases the lock
    },
    mkdirp: (path, mode) => Deno.mkdirSync(path, { recursive: true, mode }),
    mkdir: (path, mode) => exclusive(() => Deno.mkdirSync(path, { mode })),
    rmdir: (path) => Deno.removeSync(path),
    makeTempDir: (dir, prefix) => Deno.makeTempDirSync({ dir, prefix }),
    remove(path) {
      try {
        Deno.removeSync(path, { recursive: true });
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return;
        if (!(err instanceof Deno.errors.PermissionDenied)) throw err;
        // Our own directories left without permissions (overlay's work/work is mode 000).
        openUp(path);
        Deno.removeSync(path, { recursive: true });
      }
    },
    lstat: (path) => orNull(() => info(Deno.lstatSync(path))),
    stat: (path) => orNull(() => info(Deno.statSync(path))),
    readLink: (path) => Deno.readLinkSync(path),
    readDir: (path) => orNull(() => Array.from(Deno.readDirSync(path), (e) => e.name)) ?? [],
    pid: () => Deno.pid,
    async run(cmd, args, options = {}) {
      const child = new Deno.Command(cmd, {
        args,
        stdin: options.input === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: options.stderr ?? "piped",
      }).spawn();
      if (options.input !== undefined) {
        const w = child.stdin.getWriter();
        await w.write(typeof options.input === "string" ? enc.encode(options.input) : options.input)
          .catch(() => {}); // a program that exits without reading: its code tells
        await w.close().catch(() => {});
      }
      const out = await child.output();
      return {
        code: out.signal ? 128 + (out.code || 0) : out.code,
        stdout: dec.decode(out.stdout),
        stderr: options.stderr === "null" ? "" : dec.decode(out.stderr),
      };
    },
    kill: (pid, signal) => Deno.kill(pid, signal as Deno.Signal),
    onSignal(signal, fn) {
      Deno.addSignalListener(signal as Deno.Signal, fn);
      return () => Deno.removeSignalListener(signal as Deno.Signal, fn);
    },
    isTerminal: (fd) => [Deno.stdin, Deno.stdout, Deno.stderr][fd].isTerminal(),
    terminalSize() {
      try {
        return Deno.consoleSize();
      } catch {
        return null;
      }
    },
    setRaw: (raw) => Deno.stdin.setRaw(raw),
    stderr: (data) => {
      const bytes = typeof data === "string" ? enc.encode(data) : data;
      let off = 0;
      while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
    },
    stdout: (data) => {
      const bytes = typeof data === "string" ? enc.encode(data) : data;
      let off = 0;
      while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    },
    connectUnix: (path) => Deno.connect({ transport: "unix", path }),
    osRelease: () => Deno.osRelease(),
  };
}

/**
 * The services of the runtime nook runs on: Deno's own, else Node's or Bun's.
 * The Deno bundles are built with `--define:globalThis.NOOK_DENO_ONLY=true`
 * (scripts/build.sh): esbuild then drops the Node backend from them.
 */
export const sys: Sys = (globalThis as { NOOK_DENO_ONLY?: boolean }).NOOK_DENO_ONLY ||
    typeof Deno === "object"
  ? denoSys()
  : nodeSys();

/**
 * Finds an executable on PATH.
 *
 * @param name Program name.
 * @returns Its path, or null.
 *
 * @example
 * ```ts
 * import { which } from "./sys.ts";
 * console.assert(which("sh") !== null);
 * ```
 */
export function which(name: string): string | null {
  for (const dir of (sys.env("PATH") ?? "/usr/bin:/bin").split(":")) {
    const p = `${dir || "."}/${name}`;
    const st = sys.stat(p);
    if (st?.isFile && (st.mode & 0o111)) return p;
  }
  return null;
}

let self: string[] | undefined;

/**
 * Records how to start nook again (the CLI sets it from its own entry point,
 * which differs between the sources and the bundle).
 *
 * @param argv Program and arguments that run nook's CLI.
 *
 * @example
 * ```ts ignore
 * setSelfCommand([Deno.execPath(), "run", "-A", "/path/to/cli/main.ts"]);
 * ```
 */
export function setSelfCommand(argv: string[]): void {
  self = argv;
}

/**
 * What `deno run` takes to run a module: its path when it is a file, else its
 * URL as it is (nook imported from `https://jsr.io/...`).
 *
 * @param url The module's URL.
 * @returns A path or a URL.
 *
 * @example
 * ```ts
 * import { modulePathOrUrl } from "./sys.ts";
 * console.assert(modulePathOrUrl(new URL("file:///a%20b/main.ts")) === "/a b/main.ts");
 * ```
 */
export function modulePathOrUrl(url: URL): string {
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : url.href;
}

/**
 * How to start nook's CLI in a child process (e.g. inside a user namespace):
 * `deno run -A` with the path of `cli/main.ts`, or its URL when nook was
 * loaded from one.
 *
 * @returns Program and arguments; the caller appends the command.
 *
 * @example
 * ```ts
 * import { selfCommand } from "./sys.ts";
 * console.assert(selfCommand().length >= 1);
 * ```
 */
export function selfCommand(): string[] {
  return self ??
    (sys.runtime === "deno"
      ? [
        sys.execPath(),
        "run",
        "-A",
        modulePathOrUrl(new URL("../../cli/main.ts", import.meta.url)),
      ]
      : [sys.execPath(), nodeProcess().argv[1]]);
}
