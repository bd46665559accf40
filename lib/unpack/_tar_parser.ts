/**
 * A streaming tar reader: bytes are pushed in as they arrive and each entry is
 * handed to a {@linkcode TarVisitor} with its data, in slices of the pushed
 * chunks (no copy). It reads ustar, PAX (path, linkpath, size, uid, gid,
 * fractional mtime and atime, `SCHILY.xattr.*`), GNU long names and links, and
 * sparse files (GNU type 'S', PAX 0.0, 0.1 and 1.0), and decides what goes
 * with what as Go's archive/tar does (docker, containerd and podman read
 * layers with it), so nook sees the same files they do.
 *
 * @module
 */
import {
  BLOCK,
  isZeroBlock,
  parseHeader,
  parseSparseSlots,
  parseString,
  type SparseSegment,
  type TarHeader,
} from "./_tar_header.ts";
import { parsePax, paxInteger, paxText, paxTimeNs, SPARSE_MAP } from "./_pax.ts";
import { checkSparseMap, parseSparseMapText, SparseMap10Reader } from "./_sparse.ts";
import { TarFormatError } from "./tar_format_error.ts";
import { UnpackError } from "./unpack_error.ts";

/** The kinds of entries a layer holds. */
export type TarEntryType =
  | "file"
  | "directory"
  | "symlink"
  | "hardlink"
  | "fifo"
  | "char"
  | "block";

/** One entry of the archive, with its extended headers applied. */
export interface TarEntry {
  /** Name as written in the archive (not cleaned). */
  name: string;
  /** What it is. */
  type: TarEntryType;
  /** Target of a symlink or hardlink. */
  linkname: string;
  /** Permission bits with setuid, setgid and sticky. */
  mode: number;
  /** Owner uid. */
  uid: number;
  /** Owner gid. */
  gid: number;
  /** Size of a file (with its holes, for a sparse file). */
  size: number;
  /** Modification time in nanoseconds. */
  mtimeNs: bigint;
  /** Access time in nanoseconds, when a PAX record gives one. */
  atimeNs?: bigint;
  /** Device numbers of a char or block device. */
  devmajor: number;
  /** Device minor number. */
  devminor: number;
  /** Extended attributes from `SCHILY.xattr.*` records, in order. */
  xattrs: [name: string, value: Uint8Array][];
  /** A sparse file: data comes at increasing offsets with holes between them. */
  sparse: boolean;
}

/** Options of {@linkcode TarParser}. */
export interface TarParserOptions {
  /**
   * An entry of a type that is none of {@linkcode TarEntryType} (a GNU volume
   * label, a multi-volume continuation, ...): `"refuse"` (the default) throws
   * an {@linkcode UnpackError} naming it; `"skip"` passes over its header and
   * data without telling the visitor, for readers that want only files,
   * directories and links.
   */
  unknownTypes?: "refuse" | "skip";
}

/** Receives what the parser reads. */
export interface TarVisitor {
  /** A new entry begins. */
  entry(entry: TarEntry): void;
  /** Data of the current file, `chunk.length` bytes at `offset` in the file. */
  data(chunk: Uint8Array, offset: number): void;
  /** The current entry is complete. */
  end(): void;
}

const enum State {
  Header,
  Meta,
  SparseExtension,
  SparseMap,
  Data,
  Skip,
  End,
}

/** Largest PAX header or GNU long name read (Go's archive/tar has the same limit). */
const MAX_META = 1 << 20;
const XATTR_PREFIX = "SCHILY.xattr.";

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function corrupt(why: string, entry?: string): TarFormatError {
  return new TarFormatError(why, { entry });
}

/**
 * Reads a tar stream pushed in chunks of any size. For a pull reader over a
 * byte stream, see {@linkcode readTar}.
 *
 * @example
 * ```ts ignore
 * const parser = new TarParser(visitor);
 * for await (const chunk of stream) parser.push(chunk);
 * parser.finish();
 * ```
 */
export class TarParser {
  #visitor: TarVisitor;
  #skipUnknown: boolean;
  #state = State.Header;
  /** Bytes of the archive consumed. */
  #position = 0;
  /** A block being gathered across chunks. */
  #block = new Uint8Array(BLOCK);
  #blockFill = 0;
  /** Data of an extended header being gathered. */
  #meta = new Uint8Array(0);
  #metaFill = 0;
  #metaType = "";
  /** Extended headers waiting for the entry they apply to. */
  #pax: Map<string, Uint8Array> | null = null;
  #longName: string | null = null;
  #longLink: string | null = null;
  /** The header and entry being read. */
  #header: TarHeader | null = null;
  #entry: TarEntry | null = null;
  /** Archive bytes of the current entry's data still to come (map included). */
  #remaining = 0;
  /** Padding after them. */
  #pad = 0;
  #skip = 0;
  /** Sparse map gathering (format 1.0) and data placement. */
  #mapReader: SparseMap10Reader | null = null;
  #segments: SparseSegment[] | null = null;
  #segment = 0;
  #segmentLeft = 0;
  #offset = 0;
  #zeroBlockSeen = false;

  /**
   * @param visitor Receives the entries.
   * @param options What to do with entries of unknown types.
   */
  constructor(visitor: TarVisitor, options: TarParserOptions = {}) {
    this.#visitor = visitor;
    this.#skipUnknown = options.unknownTypes === "skip";
  }

  /** Whether the end-of-archive marker was read; later bytes are ignored. */
  get done(): boolean {
    return this.#state === State.End;
  }

  /**
   * Reads a chunk of the archive. The visitor is called before this returns.
   *
   * @param chunk The next bytes.
   * @throws {TarFormatError} On a corrupt archive.
   * @throws {UnpackError} On an entry of an unknown type, unless told to skip them; errors of
   *   the visitor pass through.
   */
  push(chunk: Uint8Array): void {
    let pos = 0;
    const length = chunk.length;
    while (pos < length) {
      switch (this.#state) {
        case State.Header:
        case State.SparseExtension:
        case State.SparseMap: {
          let block: Uint8Array;
          if (this.#blockFill === 0 && length - pos >= BLOCK) {
            block = chunk.subarray(pos, pos + BLOCK);
            pos += BLOCK;
          } else {
            const n = Math.min(BLOCK - this.#blockFill, length - pos);
            this.#block.set(chunk.subarray(pos, pos + n), this.#blockFill);
            this.#blockFill += n;
            pos += n;
            if (this.#blockFill < BLOCK) return;
            this.#blockFill = 0;
            block = this.#block;
          }
          this.#position += BLOCK;
          if (this.#state === State.Header) this.#onHeader(block);
          else if (this.#state === State.SparseExtension) this.#onSparseExtension(block);
          else this.#onSparseMapBlock(block);
          break;
        }
        case State.Meta: {
          const n = Math.min(this.#meta.length - this.#metaFill, length - pos);
          this.#meta.set(chunk.subarray(pos, pos + n), this.#metaFill);
          this.#metaFill += n;
          pos += n;
          this.#position += n;
          if (this.#metaFill === this.#meta.length) this.#onMeta();
          break;
        }
        case State.Data: {
          const n = Math.min(this.#remaining, length - pos);
          this.#deliver(chunk.subarray(pos, pos + n));
          pos += n;
          this.#position += n;
          this.#remaining -= n;
          if (this.#remaining === 0) this.#endEntry();
          break;
        }
        case State.Skip: {
          const n = Math.min(this.#skip, length - pos);
          pos += n;
          this.#position += n;
          this.#skip -= n;
          if (this.#skip === 0) this.#state = State.Header;
          break;
        }
        case State.End:
          return;
      }
    }
  }

  /**
   * Says the input ended.
   *
   * @throws {TarFormatError} When it ended inside a header or an entry.
   */
  finish(): void {
    if (this.#state === State.End) return;
    if (
      this.#state === State.Header && this.#blockFill === 0 && this.#pax === null &&
      this.#longName === null && this.#longLink === null
    ) {
      return; // no end-of-archive marker: Go's reader accepts that too
    }
    const name = this.#entry?.name ?? this.#header?.name;
    throw corrupt(
      name === undefined
        ? `the archive ends early, at byte ${this.#position}`
        : `the archive ends inside entry '${name}'`,
      name,
    );
  }

  #onHeader(block: Uint8Array): void {
    if (isZeroBlock(block)) {
      if (this.#zeroBlockSeen) this.#state = State.End;
      this.#zeroBlockSeen = true;
      return;
    }
    if (this.#zeroBlockSeen) {
      throw corrupt(`a header follows the end-of-archive block at byte ${this.#position - BLOCK}`);
    }
    const header = parseHeader(block, this.#position - BLOCK);
    if (header.size < 0) {
      throw corrupt(`entry '${header.name}' has a negative size`, header.name);
    }
    const type = header.typeflag;
    if (type === "x" || type === "g" || type === "L" || type === "K") {
      if (header.size > MAX_META) {
        throw corrupt(`extended header of ${header.size} bytes (type '${type}')`);
      }
      this.#metaType = type;
      this.#meta = new Uint8Array(header.size);
      this.#metaFill = 0;
      this.#pad = padding(header.size);
      if (header.size === 0) this.#onMeta();
      else this.#state = State.Meta;
      return;
    }
    this.#header = header;
    this.#startEntry(header);
  }

  #onMeta(): void {
    const data = this.#meta;
    this.#meta = new Uint8Array(0);
    if (this.#metaType === "x") this.#pax = parsePax(data);
    else if (this.#metaType === "L") this.#longName = parseString(data);
    else if (this.#metaType === "K") this.#longLink = parseString(data);
    // "g": global PAX headers are ignored, as docker does.
    this.#skipThen(this.#pad);
  }

  #skipThen(bytes: number): void {
    this.#skip = bytes;
    this.#state = bytes > 0 ? State.Skip : State.Header;
  }

  #startEntry(header: TarHeader): void {
    const pax = this.#pax;
    this.#pax = null;
    let name = header.name;
    let linkname = header.linkname;
    let size = header.size;
    let uid = header.uid;
    let gid = header.gid;
    let mtimeNs = BigInt(header.mtime) * 1_000_000_000n;
    let atimeNs: bigint | undefined;
    const xattrs: [string, Uint8Array][] = [];
    if (pax) {
      for (const [key, value] of pax) {
        if (key.startsWith(XATTR_PREFIX)) {
          xattrs.push([key.slice(XATTR_PREFIX.length), value]);
          continue;
        }
        if (value.length === 0) continue; // an empty record unsets the field
        switch (key) {
          case "path":
            name = paxText(value);
            break;
          case "linkpath":
            linkname = paxText(value);
            break;
          case "size":
            size = paxInteger(value, key);
            break;
          case "uid":
            uid = paxInteger(value, key);
            break;
          case "gid":
            gid = paxInteger(value, key);
            break;
          case "mtime":
            mtimeNs = paxTimeNs(value, key);
            break;
          case "atime":
            atimeNs = paxTimeNs(value, key);
            break;
        }
      }
    }
    if (this.#longName !== null) name = this.#longName;
    if (this.#longLink !== null) linkname = this.#longLink;
    this.#longName = null;
    this.#longLink = null;

    const type = entryType(header.typeflag, name);
    if (type === null) {
      if (!this.#skipUnknown) throw unknownType(header.typeflag, name);
      this.#header = null;
      this.#skipThen(size + padding(size));
      return;
    }
    const headerOnly = type !== "file" && header.typeflag !== "D";
    const entry: TarEntry = {
      name,
      type,
      linkname,
      mode: header.mode,
      uid,
      gid,
      size: type === "file" ? size : 0,
      mtimeNs,
      atimeNs,
      devmajor: header.devmajor,
      devminor: header.devminor,
      xattrs,
      sparse: false,
    };
    this.#entry = entry;
    this.#segments = null;
    this.#offset = 0;
    // Header-only types carry no data whatever their size field says (as in Go).
    this.#remaining = headerOnly ? 0 : size;
    this.#pad = headerOnly ? 0 : padding(size);

    if (type !== "file") {
      this.#visitor.entry(entry);
      this.#visitor.end();
      this.#entry = null;
      this.#header = null;
      this.#skipThen(this.#remaining + this.#pad);
      return;
    }
    if (header.gnuSparse) {
      entry.sparse = true;
      entry.size = header.gnuSparse.realSize;
      this.#segments = header.gnuSparse.segments;
      if (header.gnuSparse.extended) {
        this.#state = State.SparseExtension;
        return;
      }
      return this.#beginData();
    }
    if (pax) {
      const major = pax.has("GNU.sparse.major") ? paxText(pax.get("GNU.sparse.major")!) : "";
      const minor = pax.has("GNU.sparse.minor") ? paxText(pax.get("GNU.sparse.minor")!) : "";
      const v1 = major === "1" && minor === "0";
      const v0 = (major === "0" && (minor === "0" || minor === "1")) ||
        (major === "" && minor === "" && pax.has(SPARSE_MAP));
      if (v0 || v1) {
        entry.sparse = true;
        const realName = pax.get("GNU.sparse.name");
        if (realName?.length) entry.name = paxText(realName);
        const real = pax.get("GNU.sparse.size") ?? pax.get("GNU.sparse.realsize");
        if (real) entry.size = paxInteger(real, "GNU.sparse.size");
        if (v1) {
          this.#mapReader = new SparseMap10Reader(entry.name);
          this.#state = State.SparseMap;
          return;
        }
        const map = pax.get(SPARSE_MAP);
        this.#segments = parseSparseMapText(map ? paxText(map) : "", entry.name);
      }
    }
    this.#beginData();
  }

  #onSparseExtension(block: Uint8Array): void {
    this.#segments!.push(...parseSparseSlots(block, 0, 21));
    if (block[504] === 0) this.#beginData();
  }

  #onSparseMapBlock(block: Uint8Array): void {
    const entry = this.#entry!;
    if (this.#remaining < BLOCK) {
      throw corrupt(`sparse file '${entry.name}' has no room for its map`, entry.name);
    }
    this.#remaining -= BLOCK;
    const map = this.#mapReader!.push(block);
    if (map) {
      this.#mapReader = null;
      this.#segments = map.segments;
      this.#beginData();
    }
  }

  #beginData(): void {
    const entry = this.#entry!;
    if (this.#segments) {
      checkSparseMap(this.#segments, entry.size, this.#remaining, entry.name);
      this.#segment = 0;
      this.#segmentLeft = this.#segments.length ? this.#segments[0].length : 0;
      this.#offset = this.#segments.length ? this.#segments[0].offset : 0;
    }
    this.#visitor.entry(entry);
    if (this.#remaining === 0) this.#endEntry();
    else this.#state = State.Data;
  }

  #deliver(chunk: Uint8Array): void {
    const segments = this.#segments;
    if (!segments) {
      this.#visitor.data(chunk, this.#offset);
      this.#offset += chunk.length;
      return;
    }
    let at = 0;
    while (at < chunk.length) {
      while (this.#segmentLeft === 0) {
        this.#segment++;
        this.#segmentLeft = segments[this.#segment].length;
        this.#offset = segments[this.#segment].offset;
      }
      const n = Math.min(this.#segmentLeft, chunk.length - at);
      this.#visitor.data(chunk.subarray(at, at + n), this.#offset);
      at += n;
      this.#offset += n;
      this.#segmentLeft -= n;
    }
  }

  #endEntry(): void {
    this.#visitor.end();
    this.#entry = null;
    this.#header = null;
    this.#skipThen(this.#pad);
  }
}

function entryType(typeflag: string, name: string): TarEntryType | null {
  switch (typeflag) {
    case "0":
    case "7":
    case "S":
      return "file";
    case "\0":
      return name.endsWith("/") ? "directory" : "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "3":
      return "char";
    case "4":
      return "block";
    case "5":
    case "D":
      return "directory";
    case "6":
      return "fifo";
  }
  return null;
}

function unknownType(typeflag: string, name: string): UnpackError {
  const shown = typeflag.charCodeAt(0) < 0x20 ? `\\x${typeflag.charCodeAt(0)}` : typeflag;
  return new UnpackError(
    `Cannot unpack layer entry '${name}': tar type '${shown}' is not supported`,
    { entry: name },
  );
}
