/**
 * Reading an archive of files (docker save output, an OCI layout in a tar):
 * a pull reader over a byte stream that yields each entry with its data. It
 * reads ustar, GNU and PAX headers (long names and links, large sizes) and
 * checks every header's checksum. It is for image archives, whose entries are
 * plain files, directories and links; the layers inside are unpacked by
 * `lib/unpack`, not by this reader.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";

/** What an entry is. */
export type TarReadType = "file" | "directory" | "symlink" | "hardlink" | "other";

/** One entry of the archive. */
export interface TarReadEntry {
  /** Name as written in the archive. */
  name: string;
  /** What it is. */
  type: TarReadType;
  /** Size of a file's data. */
  size: number;
  /** Target of a symlink or hardlink. */
  linkname: string;
  /** Permission bits. */
  mode: number;
  /**
   * The file's data, `size` bytes. Read it (or not) before asking for the
   * next entry; what is left unread is skipped.
   */
  data(): AsyncGenerator<Uint8Array>;
}

/** An archive that is not a valid tar. */
export class TarFormatError extends NookError {
  /** @param message What is wrong, and where. */
  constructor(message: string) {
    super(message);
    this.name = "TarFormatError";
  }
}

const BLOCK = 512;
const dec = new TextDecoder();

/** Exact reads and skips over a stream. */
class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #eof = false;
  /** Bytes consumed so far. */
  position = 0;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async #fill(): Promise<boolean> {
    while (this.#chunk.length === 0 && !this.#eof) {
      const { value, done } = await this.#reader.read();
      if (done) this.#eof = true;
      else this.#chunk = value;
    }
    return this.#chunk.length > 0;
  }

  /** Up to `max` bytes (a slice of the current chunk); empty at the end. */
  async some(max: number): Promise<Uint8Array> {
    if (!(await this.#fill())) return new Uint8Array(0);
    const out = this.#chunk.subarray(0, max);
    this.#chunk = this.#chunk.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /** Exactly `n` bytes, or fewer at the end of the stream. */
  async exact(n: number): Promise<Uint8Array> {
    const first = await this.some(n);
    if (first.length === n || first.length === 0) return first;
    const out = new Uint8Array(n);
    out.set(first);
    let filled = first.length;
    while (filled < n) {
      const more = await this.some(n - filled);
      if (more.length === 0) return out.subarray(0, filled);
      out.set(more, filled);
      filled += more.length;
    }
    return out;
  }

  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const got = await this.some(Math.min(left, 1 << 20));
      if (got.length === 0) break;
      left -= got.length;
    }
    return n - left;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

function cString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return dec.decode(end < 0 ? field : field.subarray(0, end));
}

function number(block: Uint8Array, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  if (field[0] & 0x80) {
    // base-256: big-endian, the top bit of the first byte marks it
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = cString(block, offset, length).replace(/ /g, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`Invalid tar header: ${what} '${text}'`);
  return parseInt(text, 8);
}

function checksumOk(block: Uint8Array): boolean {
  const stored = number(block, 148, 8, "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function parsePax(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(dec.decode(data.subarray(at, space)));
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0 || at + length > data.length) {
      throw new TarFormatError("Invalid tar PAX header: a record's length is wrong");
    }
    const record = dec.decode(data.subarray(space + 1, at + length - 1));
    const eq = record.indexOf("=");
    if (eq < 0) throw new TarFormatError("Invalid tar PAX header: a record has no '='");
    records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
}

const TYPES: Record<string, TarReadType> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "5": "directory",
};

/** Largest PAX header or GNU long name read. */
const MAX_META = 1 << 20;

/**
 * Reads a tar archive entry by entry.
 *
 * @param stream The archive (uncompressed); it is read to its end or cancelled.
 * @returns The entries, in archive order.
 * @throws {TarFormatError} On a bad checksum, a truncated entry or a malformed header.
 *
 * @example
 * ```ts
 * import { readTar } from "./tar_reader.ts";
 * import { writeTar } from "./tar_writer.ts";
 * const tar = ReadableStream.from(writeTar([{ name: "a.txt", type: "file", data: new Uint8Array([104, 105]) }]));
 * for await (const entry of readTar(tar)) {
 *   const bytes = (await Array.fromAsync(entry.data())).flatMap((c) => [...c]);
 *   console.assert(entry.name === "a.txt" && bytes.length === 2);
 * }
 * ```
 */
export async function* readTar(stream: ReadableStream<Uint8Array>): AsyncGenerator<TarReadEntry> {
  const reader = new ByteReader(stream);
  let pax = new Map<string, string>();
  let longName: string | null = null;
  let longLink: string | null = null;
  try {
    for (;;) {
      const at = reader.position;
      const block = await reader.exact(BLOCK);
      if (block.length === 0) return; // the end without zero blocks, as Go accepts
      if (block.length < BLOCK) throw new TarFormatError(`Truncated tar archive at byte ${at}`);
      if (block.every((b) => b === 0)) return;
      if (!checksumOk(block)) {
        throw new TarFormatError(`Invalid tar header at byte ${at}: wrong checksum`);
      }
      const typeflag = String.fromCharCode(block[156]);
      let size = number(block, 124, 12, "size");
      const padded = size + ((BLOCK - (size % BLOCK)) % BLOCK);
      if (typeflag === "x" || typeflag === "g" || typeflag === "L" || typeflag === "K") {
        if (size > MAX_META) {
          throw new TarFormatError(`Invalid tar archive: an extended header of ${size} bytes`);
        }
        const data = await reader.exact(padded);
        if (data.length < padded) throw new TarFormatError(`Truncated tar archive at byte ${at}`);
        const body = data.subarray(0, size);
        if (typeflag === "x") pax = parsePax(body);
        else if (typeflag === "L") longName = cString(body, 0, body.length);
        else if (typeflag === "K") longLink = cString(body, 0, body.length);
        continue; // global headers ('g') change nothing nook reads
      }
      const magic = dec.decode(block.subarray(257, 263));
      const prefix = magic === "ustar\0" ? cString(block, 345, 155) : "";
      let name = cString(block, 0, 100);
      if (prefix) name = `${prefix}/${name}`;
      name = pax.get("path") ?? longName ?? name;
      const linkname = pax.get("linkpath") ?? longLink ?? cString(block, 157, 100);
      if (pax.has("size")) {
        size = Number(pax.get("size"));
        if (!Number.isSafeInteger(size) || size < 0) {
          throw new TarFormatError(`Invalid tar PAX size for '${name}'`);
        }
      }
      pax = new Map();
      longName = longLink = null;
      const type = TYPES[typeflag] ?? "other";
      const dataSize = type === "file" || type === "other" ? size : 0;
      const pad = (BLOCK - (dataSize % BLOCK)) % BLOCK;
      let left = dataSize;
      const data = async function* (): AsyncGenerator<Uint8Array> {
        while (left > 0) {
          const chunk = await reader.some(left);
          if (chunk.length === 0) {
            throw new TarFormatError(`Truncated tar archive: '${name}' ends early`);
          }
          left -= chunk.length;
          yield chunk;
        }
      };
      yield { name, type, size: dataSize, linkname, mode: number(block, 100, 8, "mode"), data };
      if ((await reader.skip(left)) !== left) {
        throw new TarFormatError(`Truncated tar archive: '${name}' ends early`);
      }
      left = 0;
      await reader.skip(pad);
    }
  } finally {
    await reader.cancel();
  }
}
