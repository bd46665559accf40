/**
 * Writing tar archives as a stream of chunks: ustar headers, with a PAX
 * extended header when a value does not fit (long names and link targets,
 * sizes of 8 GiB and more, large ids, non-ASCII names), as Go's archive/tar
 * writes them, so docker, skopeo and GNU tar read what nook writes.
 *
 * @module
 */

/** What an entry is. */
export type TarWriteType =
  | "file"
  | "directory"
  | "symlink"
  | "hardlink"
  | "char"
  | "block"
  | "fifo";

/** One entry to write. */
export interface TarWriteEntry {
  /** Path inside the archive (a directory's gets a trailing `/`). */
  name: string;
  /** What it is. */
  type: TarWriteType;
  /** Permission bits with setuid, setgid and sticky (default 0644, directories 0755). */
  mode?: number;
  /** Owner uid (default 0). */
  uid?: number;
  /** Owner gid (default 0). */
  gid?: number;
  /** Size of a file's data (default: the length of `data` when it is a `Uint8Array`). */
  size?: number;
  /** Modification time in seconds since the epoch (default 0). */
  mtime?: number;
  /** Target of a symlink or hardlink. */
  linkname?: string;
  /** Device major number (char and block devices). */
  devmajor?: number;
  /** Device minor number. */
  devminor?: number;
  /** A file's data: exactly `size` bytes. */
  data?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Extended attributes, written as PAX `SCHILY.xattr.NAME` records (as Go and GNU tar do). */
  xattrs?: [name: string, value: Uint8Array][];
}

const BLOCK = 512;
const TYPEFLAG: Record<TarWriteType, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  char: "3",
  block: "4",
  directory: "5",
  fifo: "6",
};
const enc = new TextEncoder();
/** Largest value of an 11-digit octal field (size). */
const MAX_OCTAL_11 = 0o77777777777;
/** Largest value of a 7-digit octal field (uid, gid). */
const MAX_OCTAL_7 = 0o7777777;

function putString(block: Uint8Array, offset: number, length: number, bytes: Uint8Array): void {
  block.set(bytes.subarray(0, length), offset);
}

function putOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const text = Math.max(0, Math.floor(value)).toString(8).padStart(length - 1, "0");
  putString(block, offset, length - 1, enc.encode(text));
}

/** A PAX record `"<len> <key>=<value>\n"`, whose length counts its own digits. */
function paxRecord(key: string, value: string | Uint8Array): Uint8Array {
  const bytes = typeof value === "string" ? enc.encode(value) : value;
  const head = enc.encode(` ${key}=`);
  const bodyLength = head.length + bytes.length + 1;
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length !== length - bodyLength) length = bodyLength + String(length).length;
  const digits = enc.encode(String(length));
  const record = new Uint8Array(length);
  record.set(digits, 0);
  record.set(head, digits.length);
  record.set(bytes, digits.length + head.length);
  record[length - 1] = 0x0a;
  return record;
}

/** Splits a name into ustar's prefix (155) and name (100), or null when it cannot. */
function splitUstar(name: Uint8Array): [Uint8Array, Uint8Array] | null {
  if (name.length <= 100) return [new Uint8Array(0), name];
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== 0x2f) continue;
    if (i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
      return [name.subarray(0, i), name.subarray(i + 1)];
    }
  }
  return null;
}

function headerBlock(
  entry: TarWriteEntry,
  typeflag: string,
  name: Uint8Array,
  prefix: Uint8Array,
  size: number,
): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const mode = entry.mode ?? (entry.type === "directory" ? 0o755 : 0o644);
  putString(block, 0, 100, name);
  putOctal(block, 100, 8, mode & 0o7777);
  putOctal(block, 108, 8, Math.min(entry.uid ?? 0, MAX_OCTAL_7));
  putOctal(block, 116, 8, Math.min(entry.gid ?? 0, MAX_OCTAL_7));
  putOctal(block, 124, 12, Math.min(size, MAX_OCTAL_11));
  putOctal(block, 136, 12, Math.min(entry.mtime ?? 0, MAX_OCTAL_11));
  block.fill(0x20, 148, 156); // checksum counts as spaces
  block[156] = typeflag.charCodeAt(0);
  putString(block, 157, 100, enc.encode(entry.linkname ?? ""));
  putString(block, 257, 8, enc.encode("ustar\x0000"));
  putOctal(block, 329, 8, entry.devmajor ?? 0);
  putOctal(block, 337, 8, entry.devminor ?? 0);
  putString(block, 345, 155, prefix);
  let sum = 0;
  for (const b of block) sum += b;
  putString(block, 148, 8, enc.encode(sum.toString(8).padStart(6, "0") + "\0 "));
  return block;
}

function padTo(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/**
 * The header block(s) of an entry: a PAX extended header first when needed.
 *
 * @param entry The entry (its `data` is not read).
 * @returns The header bytes, a multiple of 512.
 * @throws {RangeError} On a negative or fractional size, or an empty name.
 *
 * @example
 * ```ts
 * import { tarHeader } from "./tar_writer.ts";
 * const h = tarHeader({ name: "a/" + "b".repeat(200), type: "file", size: 0 });
 * console.assert(h.length === 1536 && h[156] === "x".charCodeAt(0)); // PAX header, its data, header
 * ```
 */
export function tarHeader(entry: TarWriteEntry): Uint8Array {
  const size = entry.type === "file" ? entryDataSize(entry) : 0;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`Invalid tar entry size '${size}' for '${entry.name}'`);
  }
  if (entry.name === "") throw new RangeError("Invalid tar entry: the name is empty");
  let name = entry.name;
  if (entry.type === "directory" && !name.endsWith("/")) name += "/";
  const nameBytes = enc.encode(name);
  const linkBytes = enc.encode(entry.linkname ?? "");
  const pax: Uint8Array[] = [];
  // deno-lint-ignore no-control-regex
  const ascii = /^[\x01-\x7f]*$/;
  let split = ascii.test(name) ? splitUstar(nameBytes) : null;
  if (!split) {
    pax.push(paxRecord("path", name));
    split = [new Uint8Array(0), nameBytes.subarray(0, 100)];
  }
  if (linkBytes.length > 100 || !ascii.test(entry.linkname ?? "")) {
    pax.push(paxRecord("linkpath", entry.linkname ?? ""));
  }
  if (size > MAX_OCTAL_11) pax.push(paxRecord("size", String(size)));
  if ((entry.uid ?? 0) > MAX_OCTAL_7) pax.push(paxRecord("uid", String(entry.uid)));
  if ((entry.gid ?? 0) > MAX_OCTAL_7) pax.push(paxRecord("gid", String(entry.gid)));
  if ((entry.mtime ?? 0) > MAX_OCTAL_11) {
    pax.push(paxRecord("mtime", String(Math.floor(entry.mtime!))));
  }
  for (const [key, value] of entry.xattrs ?? []) pax.push(paxRecord(`SCHILY.xattr.${key}`, value));
  const header = headerBlock(entry, TYPEFLAG[entry.type], split[1], split[0], size);
  if (pax.length === 0) return header;
  const paxData = new Uint8Array(pax.reduce((n, r) => n + r.length, 0));
  pax.reduce((at, r) => (paxData.set(r, at), at + r.length), 0);
  const base = name.replace(/\/$/, "").split("/").pop() ?? "";
  const paxName = enc.encode(`PaxHeaders.0/${base}`.slice(0, 100));
  const paxHeader = headerBlock(
    { name: "", type: "file", mode: 0o644, mtime: entry.mtime },
    "x",
    paxName,
    new Uint8Array(0),
    paxData.length,
  );
  const out = new Uint8Array(BLOCK + paxData.length + padTo(paxData.length).length + BLOCK);
  out.set(paxHeader, 0);
  out.set(paxData, BLOCK);
  out.set(header, out.length - BLOCK);
  return out;
}

function entryDataSize(entry: TarWriteEntry): number {
  if (entry.size !== undefined) return entry.size;
  if (entry.data instanceof Uint8Array) return entry.data.length;
  return 0;
}

/**
 * Writes entries as a tar stream (with the two zero blocks that end it).
 * A file whose data is not exactly `size` bytes fails the stream.
 *
 * @param entries The entries, in order.
 * @returns The archive's bytes, in chunks.
 * @throws {RangeError} When a file's data is shorter or longer than its size.
 *
 * @example
 * ```ts
 * import { writeTar } from "./tar_writer.ts";
 * const data = new TextEncoder().encode("hi\n");
 * const chunks = await Array.fromAsync(writeTar([{ name: "hello.txt", type: "file", data }]));
 * console.assert(chunks.reduce((n, c) => n + c.length, 0) === 512 * 4);
 * ```
 */
export async function* writeTar(
  entries: Iterable<TarWriteEntry> | AsyncIterable<TarWriteEntry>,
): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    yield tarHeader(entry);
    if (entry.type !== "file") continue;
    const size = entryDataSize(entry);
    let written = 0;
    if (entry.data instanceof Uint8Array) {
      written = entry.data.length;
      if (written === size) yield entry.data;
    } else if (entry.data) {
      for await (const chunk of entry.data) {
        written += chunk.length;
        if (written > size) break;
        yield chunk;
      }
    }
    if (written !== size) {
      const what = written > size ? `more than ${size} bytes` : `${written} of ${size} bytes`;
      throw new RangeError(
        `Cannot write '${entry.name}' to the archive: it has ${what} (did it change while it was read?)`,
      );
    }
    const pad = padTo(size);
    if (pad.length) yield pad;
  }
  yield new Uint8Array(BLOCK * 2);
}
