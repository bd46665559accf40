/**
 * Extracts a plain tar archive (not a layer: `.wh.` names are files like any
 * other) into an existing directory, with the unpacker's safety rules: no
 * entry is written through a symlink or outside the directory, and what is
 * in the way of an entry is replaced (directories merge). Entries can be
 * renamed or skipped on the way, and a caller can prepare each entry's place
 * before it is written. `nook cp` extracts through here.
 *
 * @module
 */
import { decompress } from "./decompress.ts";
import { loadFsShim, lstatKind, realPath } from "./_fs.ts";
import { LayerWriter } from "./_layer_writer.ts";
import { type TarEntry, type TarEntryType, TarParser, type TarVisitor } from "./_tar_parser.ts";
import type { Compression } from "./compression.ts";
import { UnpackError } from "./unpack_error.ts";
import { iterableStream } from "./iterable_stream.ts";

export type { TarEntryType };

/** Options of {@linkcode extractTar}. */
export interface ExtractTarOptions {
  /**
   * `"keep"`: entries get the archive's uid and gid (root in a user namespace
   * with subordinate ids); `"squash"`: everything is owned by the caller.
   */
  owners: "keep" | "squash";
  /** How the stream is compressed (default "none"). */
  compression?: Compression;
  /**
   * Where an entry goes: a path relative to the directory, or null to skip
   * the entry. It gets the entry's name and type; hard link targets are
   * renamed too, with the type null. Default: the name itself.
   */
  rename?: (name: string, type: TarEntryType | null) => string | null;
  /**
   * Called before an entry is written, with its renamed path and its type; it
   * may prepare the entry's place (or throw to stop the extraction).
   */
  beforeEntry?: (path: string, type: TarEntryType) => void;
  /** Receives warnings (skipped devices, squashed owners, attributes not set). */
  onWarning?: (message: string) => void;
}

/** What {@linkcode extractTar} wrote. */
export interface ExtractTarStats {
  /** Entries written (skipped ones not counted). */
  entries: number;
  /** Regular files written. */
  files: number;
  /** Bytes of file data written. */
  bytes: number;
}

class RenamingVisitor implements TarVisitor {
  #inner: LayerWriter;
  #options: ExtractTarOptions;
  #skipping = false;

  constructor(inner: LayerWriter, options: ExtractTarOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  entry(entry: TarEntry): void {
    const rename = this.#options.rename ?? ((name: string) => name);
    const name = rename(entry.name, entry.type);
    this.#skipping = name === null;
    if (name === null) return;
    let linkname = entry.linkname;
    if (entry.type === "hardlink") {
      const target = rename(entry.linkname, null);
      if (target === null) {
        throw new UnpackError(
          `Refusing archive entry '${entry.name}': its link target '${entry.linkname}' is not ` +
            "part of what is extracted",
          { entry: entry.name },
        );
      }
      linkname = target;
    }
    this.#options.beforeEntry?.(name, entry.type);
    this.#inner.entry({ ...entry, name, linkname });
  }

  data(chunk: Uint8Array, offset: number): void {
    if (!this.#skipping) this.#inner.data(chunk, offset);
  }

  end(): void {
    if (!this.#skipping) this.#inner.end();
    this.#skipping = false;
  }
}

/**
 * Extracts a tar stream into `dest`, an existing directory.
 *
 * @param input The archive.
 * @param dest The directory (symlinks in its own path are resolved first).
 * @param options Owners, renaming, preparation, warnings.
 * @returns What was written.
 * @throws {UnpackError} When `dest` is not a directory, an entry is unsafe
 *   (the message names it), the archive is corrupt, or a write fails.
 *
 * @example Extract an archive into a directory, everything under `copy/`
 * ```ts ignore
 * import { extractTar } from "./extract_tar.ts";
 * const file = await Deno.open("/tmp/files.tar");
 * await extractTar(file.readable, "/tmp/out", {
 *   owners: "squash",
 *   rename: (name) => `copy/${name}`,
 * });
 * ```
 */
export async function extractTar(
  input: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  dest: string,
  options: ExtractTarOptions,
): Promise<ExtractTarStats> {
  let root: string;
  try {
    root = realPath(dest);
  } catch (err) {
    throw new UnpackError(`Cannot extract into '${dest}': ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (lstatKind(root) !== "directory") {
    throw new UnpackError(`Cannot extract into '${dest}': it is not a directory`);
  }
  loadFsShim();
  const writer = new LayerWriter(root, {
    keepOwners: options.owners === "keep",
    whiteouts: false,
    onWarning: options.onWarning ?? (() => {}),
  });
  const parser = new TarParser(new RenamingVisitor(writer, options));
  const stream = input instanceof ReadableStream ? input : iterableStream(input);
  try {
    for await (const chunk of decompress(stream, options.compression ?? "none")) {
      if (!parser.done) parser.push(chunk);
    }
    parser.finish();
    writer.finish();
  } catch (err) {
    writer.abort();
    throw err;
  }
  const { entries, files, bytes } = writer.stats;
  return { entries, files, bytes };
}
