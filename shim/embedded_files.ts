/**
 * The per-user cache of the two native files nook cannot use from where they
 * come: the shim library and the container monitor.
 *
 * - A compiled nook (`deno task compile`: one executable made by
 *   `bun build --compile` or `deno compile`) carries them inside itself, and
 *   the kernel can neither `dlopen` nor `execve` a file in the binary's
 *   virtual file system ({@linkcode useEmbeddedFiles}).
 * - nook imported from a URL (`jsr:@nook/nook` is served from
 *   `https://jsr.io/...`) finds them beside its modules on the web server,
 *   and `Deno.dlopen` and spawning need local files ({@linkcode useRemoteFiles}).
 *
 * Either way each file is copied to the cache the first time it is needed and
 * used from there:
 *
 *     ${XDG_CACHE_HOME:-$HOME/.cache}/nook/bin/<sha256 of the content>/<name>
 *
 * - The directories `nook`, `nook/bin` and the one per hash are made 0700 and
 *   must stay so: one that belongs to another user, is a symlink or lets
 *   group or others in is refused ({@linkcode EmbeddedFileError}), as someone
 *   else could swap the code nook loads.
 * - A copy is written to a temporary name and renamed into place (two nooks
 *   starting at once both succeed), and its SHA-256 is recomputed from the
 *   cached bytes before every use; a copy that does not match is replaced.
 *
 * `shim/binding.ts` asks {@linkcode embeddedFilePath} first when it looks
 * for the shim and the monitor. This module imports nothing from `lib/`: the
 * caller (`cli/compiled_main.ts`, `shim/binding.ts`'s `prepareShim`) hands it
 * the file operations.
 *
 * @module
 */

/** The file operations the cache needs (nook's `sys` has them). */
export interface CacheFs {
  /** An environment variable. */
  env(name: string): string | undefined;
  /** Real uid of this process. */
  uid(): number;
  /** lstat, or null when missing. */
  lstat(path: string): { isDirectory: boolean; isFile: boolean; mode: number; uid: number } | null;
  /** A file's bytes, or null when it does not exist. */
  readBytes(path: string): Uint8Array<ArrayBuffer> | null;
  /** mkdir(2) (not recursive): false when something is already there. */
  mkdir(path: string, mode: number): boolean;
  /** Creates a new file with O_EXCL for writing; null when something is there. */
  createFile(path: string, mode: number): {
    write(bytes: Uint8Array): void;
    sync(): void;
    close(): void;
  } | null;
  /** rename(2). */
  rename(from: string, to: string): void;
  /** `rm -rf`. */
  remove(path: string): void;
}

/** Error thrown when an embedded file cannot be cached or its copy is not safe to use. */
export class EmbeddedFileError extends Error {
  /** @param message What is wrong and how to fix it. */
  constructor(message: string) {
    super(message);
    this.name = "EmbeddedFileError";
  }
}

/** Whether {@linkcode useEmbeddedFiles} was called: this process is a compiled nook. */
let compiled = false;
/** Verified copies in the cache, by name. */
const ready = new Map<string, string>();

/**
 * Declares that this process is a compiled nook that carries `files`, and
 * copies them to the per-user cache and verifies them (done here, once per
 * start, because hashing is asynchronous and the shim is loaded synchronously).
 *
 * @param files Where each file (e.g. `libnook_shim-x86_64.so`) is inside the binary.
 * @param fs File operations (and the environment, for XDG_CACHE_HOME and HOME).
 * @throws {EmbeddedFileError} When the cache directory is not safe or cannot be written.
 *
 * @example
 * ```ts ignore
 * import { sys } from "../lib/sys/sys.ts";
 * await useEmbeddedFiles({ "libnook_shim-x86_64.so": "/$bunfs/root/libnook_shim-x86_64.so" }, sys);
 * console.log(embeddedFilePath("libnook_shim-x86_64.so")); // ~/.cache/nook/bin/<hash>/libnook_shim-x86_64.so
 * ```
 */
export async function useEmbeddedFiles(
  files: Readonly<Record<string, string>>,
  fs: CacheFs,
): Promise<void> {
  compiled = true;
  for (const [name, inside] of Object.entries(files)) {
    await useFile(fs, name, () => {
      const bytes = fs.readBytes(inside);
      if (bytes === null) {
        throw new EmbeddedFileError(
          `This nook binary does not contain '${name}' (looked for '${inside}'); ` +
            "build it again with 'deno task compile'",
        );
      }
      return Promise.resolve(bytes);
    });
  }
}

/**
 * Fetches files that lie beside nook's modules on a web server (nook imported
 * from a URL, e.g. from JSR) into the per-user cache and verifies them, once
 * per process: a file already fetched by this process is not fetched again.
 *
 * @param files The URL of each file (e.g. `libnook_shim-x86_64.so`), by name.
 * @param fs File operations (and the environment, for XDG_CACHE_HOME and HOME).
 * @param fetchFn The fetch to use (the global one by default).
 * @throws {EmbeddedFileError} When a file cannot be fetched, or the cache
 * directory is not safe or cannot be written.
 *
 * @example
 * ```ts ignore
 * import { sys } from "../lib/sys/sys.ts";
 * const url = new URL("https://jsr.io/@nook/nook/0.1.0/shim/build/nook-monitor-x86_64");
 * await useRemoteFiles({ "nook-monitor-x86_64": url }, sys);
 * console.log(embeddedFilePath("nook-monitor-x86_64")); // ~/.cache/nook/bin/<hash>/nook-monitor-x86_64
 * ```
 */
export async function useRemoteFiles(
  files: Readonly<Record<string, URL>>,
  fs: CacheFs,
  fetchFn: typeof fetch = fetch,
): Promise<void> {
  for (const [name, url] of Object.entries(files)) {
    if (ready.has(name)) continue;
    await useFile(fs, name, () => fetchBytes(url, fetchFn));
  }
}

/** A file's bytes from a web server; an error that names the URL and what to do. */
async function fetchBytes(url: URL, fetchFn: typeof fetch): Promise<Uint8Array<ArrayBuffer>> {
  const fix = "nook loads its shim and monitor from beside its modules: check that the " +
    "server is reachable, or import nook from a checkout (`deno task build` builds them there) " +
    "or set NOOK_SHIM_PATH and NOOK_MONITOR_PATH to local copies";
  let response: Response;
  try {
    response = await fetchFn(url);
  } catch (err) {
    throw new EmbeddedFileError(`Cannot fetch '${url.href}': ${(err as Error).message}; ${fix}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new EmbeddedFileError(
      `Cannot fetch '${url.href}': the server answered ${response.status} ` +
        `${response.statusText}`.trimEnd() +
        `; the package may have been published without its native files (run 'deno task build' ` +
        `before 'deno publish'), or ${fix}`,
    );
  }
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    throw new EmbeddedFileError(
      `Cannot fetch '${url.href}': the transfer failed: ${(err as Error).message}; ${fix}`,
    );
  }
}

/** Gets one file's bytes and caches them; records the verified copy. */
async function useFile(
  fs: CacheFs,
  name: string,
  bytes: () => Promise<Uint8Array<ArrayBuffer>>,
): Promise<void> {
  const content = await bytes();
  try {
    ready.set(name, await cacheFile(fs, name, content));
  } catch (err) {
    if (err instanceof EmbeddedFileError) throw err;
    const where = embeddedCacheDir(fs.env);
    throw new EmbeddedFileError(
      `Cannot copy nook's '${name}' to its cache '${where}': ${(err as Error).message}; ` +
        "set XDG_CACHE_HOME to a writable directory of yours",
    );
  }
}

/**
 * Whether this process runs from a compiled binary ({@linkcode useEmbeddedFiles} was called).
 *
 * @returns True in a compiled nook.
 *
 * @example
 * ```ts
 * import { isCompiled } from "./embedded_files.ts";
 * console.assert(isCompiled() === false); // in the sources
 * ```
 */
export function isCompiled(): boolean {
  return compiled;
}

/**
 * The verified copy of an embedded or fetched file in the per-user cache.
 *
 * @param name The file's name, e.g. `nook-monitor-x86_64`.
 * @returns Its path, or undefined when nook is neither compiled nor loaded
 * from a URL, or has not cached this file.
 *
 * @example
 * ```ts
 * import { embeddedFilePath } from "./embedded_files.ts";
 * console.assert(embeddedFilePath("libnook_shim-x86_64.so") === undefined); // in the sources
 * ```
 */
export function embeddedFilePath(name: string): string | undefined {
  return ready.get(name);
}

/**
 * The cache directory of the shim and monitor copies (a compiled nook's, or
 * fetched): `${XDG_CACHE_HOME:-$HOME/.cache}/nook/bin`.
 *
 * @param env Reads an environment variable.
 * @returns The path.
 * @throws {EmbeddedFileError} When neither XDG_CACHE_HOME nor HOME is set.
 *
 * @example
 * ```ts
 * import { embeddedCacheDir } from "./embedded_files.ts";
 * const env: Record<string, string> = { HOME: "/home/u" };
 * console.assert(embeddedCacheDir((n) => env[n]) === "/home/u/.cache/nook/bin");
 * ```
 */
export function embeddedCacheDir(env: (name: string) => string | undefined): string {
  const xdg = env("XDG_CACHE_HOME");
  if (xdg?.startsWith("/")) return `${xdg}/nook/bin`;
  const home = env("HOME");
  if (home?.startsWith("/")) return `${home}/.cache/nook/bin`;
  throw new EmbeddedFileError(
    "Cannot find a cache directory for nook's shim and monitor: neither " +
      "XDG_CACHE_HOME nor HOME is set to an absolute path; set one of them",
  );
}

interface BunHasher {
  update(bytes: Uint8Array): BunHasher;
  digest(encoding: "hex"): string;
}
const Bun = (globalThis as { Bun?: { CryptoHasher: new (algorithm: string) => BunHasher } }).Bun;

/** SHA-256 in hex: Bun's native hasher where there is one (WebCrypto's first call costs ~1 ms). */
async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  if (Bun) return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Copies a file's bytes to the cache (unless a good copy is there); returns the copy's path. */
async function cacheFile(
  fs: CacheFs,
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const hash = await sha256(bytes);
  const bin = embeddedCacheDir(fs.env);
  const nookDir = bin.slice(0, bin.lastIndexOf("/"));
  // The XDG base directory is made 0700 when missing; it may be looser when it exists.
  mkdirs(fs, nookDir.slice(0, nookDir.lastIndexOf("/")));
  safeDir(fs, nookDir);
  safeDir(fs, bin);
  const dir = `${bin}/${hash.slice(0, 32)}`;
  safeDir(fs, dir);
  const path = `${dir}/${name}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    const st = fs.lstat(path);
    if (st?.isFile && st.uid === fs.uid()) {
      const copy = fs.readBytes(path);
      if (copy !== null && await sha256(copy) === hash) return path;
    }
    if (st !== null) fs.remove(path); // not ours, not a file, or damaged: replace it
    writeAtomically(fs, path, bytes);
  }
  throw new EmbeddedFileError(
    `The copy of nook's '${name}' at '${path}' does not match the one it was made from ` +
      `(sha256 ${hash}) even after writing it again; check the file system, or remove '${dir}'`,
  );
}

function writeAtomically(fs: CacheFs, path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  const file = fs.createFile(tmp, 0o500);
  if (file === null) throw new EmbeddedFileError(`Cannot create '${tmp}': it exists`);
  try {
    file.write(bytes);
    file.sync();
  } catch (err) {
    file.close();
    fs.remove(tmp);
    throw err;
  }
  file.close();
  fs.rename(tmp, path);
}

/** `mkdir -p` with mode 0700 for what it makes. */
function mkdirs(fs: CacheFs, path: string): void {
  if (path === "" || fs.lstat(path) !== null) return;
  mkdirs(fs, path.slice(0, path.lastIndexOf("/")));
  fs.mkdir(path, 0o700);
}

/** Makes `path` (0700) when missing; refuses it unless it is a directory of ours that only we can enter. */
function safeDir(fs: CacheFs, path: string): void {
  let st = fs.lstat(path);
  if (st === null) {
    fs.mkdir(path, 0o700);
    st = fs.lstat(path);
  }
  const fix = "or set XDG_CACHE_HOME to a directory of yours";
  if (st === null || !st.isDirectory) {
    throw new EmbeddedFileError(
      `Refusing nook's cache directory '${path}': it is not a directory (a symlink or a file); ` +
        `remove it, ${fix}`,
    );
  }
  if (st.uid !== fs.uid()) {
    throw new EmbeddedFileError(
      `Refusing nook's cache directory '${path}': it belongs to uid ${st.uid}, not to you ` +
        `(uid ${fs.uid()}), and its owner could change the code nook runs; remove it, ${fix}`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o7777).toString(8).padStart(4, "0");
    throw new EmbeddedFileError(
      `Refusing nook's cache directory '${path}': its mode is ${mode}, which lets other users ` +
        `in; it must be 0700: run 'chmod 700 ${path}', ${fix}`,
    );
  }
}
