/**
 * The files of an image archive (a tar, or a directory holding an OCI
 * layout), copied into a staging directory of the store and hashed on the
 * way, so that each one's digest is known before anything is committed and
 * a committed blob is a rename of a verified file.
 *
 * A tar is read once, start to end: docker puts `manifest.json` last, so
 * every file is staged before any is interpreted. A directory's files are
 * staged when asked for.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import { readTar } from "../unpack/read_tar.ts";

/** A staged file: where it is now, its size and sha256. */
export interface StagedFile {
  /** Its name in the archive (normalized). */
  name: string;
  /** The staged copy. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** `sha256:<hex>` of its bytes. */
  digest: string;
}

/** Largest JSON document read from an archive. */
const JSON_LIMIT = 32 << 20;
/** How many symlinks are followed before giving up. */
const MAX_LINKS = 16;

/**
 * An archive path without `./`, `//` and leading `/`.
 *
 * @param name A path as an archive (or a link in it) gives it.
 * @returns The clean path, or null when it climbs out of the archive.
 *
 * @example
 * ```ts
 * import { normalizeName } from "./_archive_files.ts";
 * console.assert(normalizeName("./blobs//sha256/./x") === "blobs/sha256/x");
 * console.assert(normalizeName("../etc/passwd") === null);
 * ```
 */
export function normalizeName(name: string): string | null {
  const out: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

function dirname(name: string): string {
  const at = name.lastIndexOf("/");
  return at < 0 ? "" : name.slice(0, at);
}

/** Writes a stream to a new file, hashing it; returns size and digest. */
async function stageStream(
  source: AsyncIterable<Uint8Array>,
  path: string,
): Promise<{ size: number; digest: string }> {
  const file = sys.writeStream(path, { createNew: true, mode: 0o600 }).getWriter();
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
      await file.write(chunk);
    }
    await file.close();
  } catch (err) {
    await file.abort(err).catch(() => {});
    throw err;
  }
  return { size, digest: `sha256:${hash.digest("hex")}` };
}

/** The files of one archive, staged under a directory of their own. */
export class ArchiveFiles {
  #staging: string;
  #directory: string | null;
  #files = new Map<string, StagedFile>();
  #links = new Map<string, string>();
  #count = 0;

  private constructor(staging: string, directory: string | null) {
    this.#staging = staging;
    this.#directory = directory;
  }

  /**
   * Stages every file of a tar archive.
   *
   * @param stream The archive (uncompressed).
   * @param staging An empty directory on the store's file system.
   * @returns The files.
   * @throws {TarFormatError} When the archive is not a valid tar.
   */
  static async fromTar(stream: ReadableStream<Uint8Array>, staging: string): Promise<ArchiveFiles> {
    const files = new ArchiveFiles(staging, null);
    for await (const entry of readTar(stream)) {
      const name = normalizeName(entry.name);
      if (name === null || name === "") continue;
      if (entry.type === "file") {
        const path = `${staging}/${files.#count++}`;
        const { size, digest } = await stageStream(entry.data(), path);
        files.#links.delete(name);
        files.#files.set(name, { name, path, size, digest });
      } else if (entry.type === "symlink" || entry.type === "hardlink") {
        const base = entry.type === "symlink" && !entry.linkname.startsWith("/")
          ? dirname(name)
          : "";
        const target = normalizeName(`${base}/${entry.linkname}`);
        if (target !== null) {
          files.#files.delete(name);
          files.#links.set(name, target);
        }
      }
    }
    return files;
  }

  /**
   * The files of a directory (an OCI layout, or an unpacked docker archive),
   * staged when asked for.
   *
   * @param directory The directory.
   * @param staging An empty directory on the store's file system.
   * @returns The files.
   */
  static fromDirectory(directory: string, staging: string): ArchiveFiles {
    return new ArchiveFiles(staging, sys.realPath(directory));
  }

  /**
   * A file by its name in the archive, following symlinks inside it.
   *
   * @param name The name.
   * @returns The staged file, or null when there is none.
   */
  async get(name: string): Promise<StagedFile | null> {
    let at = normalizeName(name);
    for (let hops = 0; at !== null && hops <= MAX_LINKS; hops++) {
      const staged = this.#files.get(at);
      if (staged) return staged;
      const next = this.#links.get(at);
      if (next === undefined) break;
      at = next;
    }
    if (at === null || this.#directory === null) return null;
    return await this.#stageFromDirectory(at);
  }

  async #stageFromDirectory(name: string): Promise<StagedFile | null> {
    const root = this.#directory!;
    let real: string;
    try {
      real = sys.realPath(`${root}/${name}`);
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") return null;
      throw err;
    }
    if (!real.startsWith(`${root}/`) || !sys.stat(real)?.isFile) return null;
    const path = `${this.#staging}/${this.#count++}`;
    const stream = sys.readStream(real);
    if (!stream) return null;
    const { size, digest } = await stageStream(stream, path);
    const staged = { name, path, size, digest };
    this.#files.set(name, staged);
    return staged;
  }

  /**
   * Whether the archive has a file of that name.
   *
   * @param name The name.
   * @returns True when {@linkcode ArchiveFiles.get} finds it.
   */
  async has(name: string): Promise<boolean> {
    return (await this.get(name)) !== null;
  }

  /**
   * A file parsed as JSON.
   *
   * @param file The staged file.
   * @returns Its bytes and the parsed value.
   * @throws {NookError} When it is too large or not JSON.
   */
  static readJson(file: StagedFile): { bytes: Uint8Array; value: unknown } {
    if (file.size > JSON_LIMIT) {
      throw new NookError(`Cannot load: '${file.name}' is larger than ${JSON_LIMIT >> 20} MiB`);
    }
    const bytes = ArchiveFiles.#bytes(file);
    try {
      return { bytes, value: JSON.parse(new TextDecoder().decode(bytes)) };
    } catch {
      throw new NookError(`Cannot load: '${file.name}' in the archive is not valid JSON`);
    }
  }

  /**
   * The first bytes of a file.
   *
   * @param file The staged file.
   * @param n How many.
   * @returns Up to `n` bytes.
   */
  static async head(file: StagedFile, n: number): Promise<Uint8Array> {
    const f = sys.openRead(file.path);
    if (!f) throw ArchiveFiles.#gone(file);
    try {
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const r = await f.read(buf.subarray(got));
        if (r === null || r === 0) break;
        got += r;
      }
      return buf.subarray(0, got);
    } finally {
      f.close();
    }
  }

  /** A staged file's bytes (staged files stay until the load ends). */
  static #bytes(file: StagedFile): Uint8Array<ArrayBuffer> {
    const bytes = sys.readBytes(file.path);
    if (bytes === null) throw ArchiveFiles.#gone(file);
    return bytes;
  }

  static #gone(file: StagedFile): NookError {
    return new NookError(
      `Cannot load: the staged copy of '${file.name}' is gone from '${file.path}'; load again`,
    );
  }
}
