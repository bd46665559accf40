/**
 * One 512-byte tar header block: checksum, octal and base-256 numbers, and the
 * ustar, GNU and v7 layouts. Extended headers (PAX, GNU long names) are the
 * parser's business, not this file's.
 *
 * @module
 */
import { TarFormatError } from "./tar_format_error.ts";

/** Size of a tar block. */
export const BLOCK = 512;

/** One data segment of a sparse file: `length` bytes at `offset`. */
export interface SparseSegment {
  /** Offset in the file. */
  offset: number;
  /** Number of bytes. */
  length: number;
}

/** The old GNU sparse map held in a type 'S' header. */
export interface GnuSparseHeader {
  /** The segments in this header. */
  segments: SparseSegment[];
  /** More segments follow in extension blocks. */
  extended: boolean;
  /** Size of the file once its holes are filled in. */
  realSize: number;
}

/** The fields of one header block. */
export interface TarHeader {
  /** Name, with the ustar prefix joined in. */
  name: string;
  /** Permission bits, with setuid, setgid and sticky. */
  mode: number;
  /** Owner uid. */
  uid: number;
  /** Owner gid. */
  gid: number;
  /** Size of the data that follows the header. */
  size: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** Type flag, one character ("0", "5", "x", "L", ...; "\0" for old regular files). */
  typeflag: string;
  /** Link target. */
  linkname: string;
  /** Device major number. */
  devmajor: number;
  /** Device minor number. */
  devminor: number;
  /** Sparse map of a GNU type 'S' header. */
  gnuSparse?: GnuSparseHeader;
}

const decoder = new TextDecoder();

/**
 * A NUL-terminated string field.
 *
 * @param field The bytes of the field.
 * @returns The text up to the first NUL.
 */
export function parseString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

/**
 * A numeric field: octal digits padded with spaces or NULs, or base-256
 * (the GNU and star extension: the high bit of the first byte is set, the
 * rest is a big-endian two's complement number) for values that do not fit.
 *
 * @param field The bytes of the field.
 * @param what Which field, for the error message.
 * @returns The value.
 * @throws {TarFormatError} On a character that is not an octal digit, or a value
 *   beyond 2^53.
 */
export function parseNumeric(field: Uint8Array, what: string): number {
  if (field.length > 0 && (field[0] & 0x80) !== 0) {
    const inv = (field[0] & 0x40) !== 0 ? 0xff : 0; // negative: invert, since -a-1 == ~a
    let value = 0;
    for (let i = 0; i < field.length; i++) {
      let c = field[i] ^ inv;
      if (i === 0) c &= 0x7f;
      value = value * 256 + c;
      if (value > Number.MAX_SAFE_INTEGER) {
        throw new TarFormatError(`tar field '${what}' is too large`);
      }
    }
    return inv ? -value - 1 : value;
  }
  let start = 0;
  let end = field.length;
  while (start < end && (field[start] === 0x20 || field[start] === 0)) start++;
  while (end > start && (field[end - 1] === 0x20 || field[end - 1] === 0)) end--;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = field[i] - 0x30;
    if (digit < 0 || digit > 7) {
      throw new TarFormatError(
        `tar field '${what}' holds '${parseString(field)}', not an octal number`,
      );
    }
    value = value * 8 + digit;
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new TarFormatError(`tar field '${what}' is too large`);
  }
  return value;
}

/**
 * Whether a block is all zeros (the end-of-archive marker).
 *
 * @param block A 512-byte block.
 * @returns True when every byte is 0.
 */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/**
 * Whether a header's checksum field matches its bytes. The sum is taken with
 * the field itself as spaces, as unsigned bytes or (old tars) signed ones.
 *
 * @param block A 512-byte header block.
 * @returns True when it matches.
 */
export function checksumMatches(block: Uint8Array): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += c;
    signed += c < 128 ? c : c - 256;
  }
  let stored: number;
  try {
    stored = parseNumeric(block.subarray(148, 156), "chksum");
  } catch {
    return false;
  }
  return stored === unsigned || stored === signed;
}

/**
 * Sparse segments of an old GNU sparse header or extension block: `count`
 * slots of 24 bytes (offset, length) from `at`; an empty offset ends them.
 *
 * @param block The block.
 * @param at Where the first slot is.
 * @param count How many slots the block has.
 * @returns The segments.
 */
export function parseSparseSlots(block: Uint8Array, at: number, count: number): SparseSegment[] {
  const segments: SparseSegment[] = [];
  for (let i = 0; i < count; i++) {
    const slot = at + i * 24;
    if (block[slot] === 0) break; // the end, as GNU and BSD tar see it
    segments.push({
      offset: parseNumeric(block.subarray(slot, slot + 12), "sparse offset"),
      length: parseNumeric(block.subarray(slot + 12, slot + 24), "sparse length"),
    });
  }
  return segments;
}

function bytesEqual(block: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (block[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Parses a header block in the ustar (POSIX, also under PAX), GNU or v7
 * layout, after checking its checksum.
 *
 * @param block A 512-byte block that is not all zeros.
 * @param position Its offset in the archive, for the error message.
 * @returns The header fields.
 * @throws {TarFormatError} On a checksum mismatch or a malformed number.
 */
export function parseHeader(block: Uint8Array, position: number): TarHeader {
  if (!checksumMatches(block)) {
    const looks = block[0] === 0x1f && block[1] === 0x8b
      ? "it looks gzip-compressed"
      : block[0] === 0x28 && block[1] === 0xb5 && block[2] === 0x2f && block[3] === 0xfd
      ? "it looks zstd-compressed"
      : "not a tar archive, or a compression other than the one declared";
    throw new TarFormatError(`bad tar header checksum at byte ${position} (${looks})`);
  }
  const gnu = bytesEqual(block, 257, "ustar  \0");
  const ustar = !gnu && bytesEqual(block, 257, "ustar\0");
  let name = parseString(block.subarray(0, 100));
  if (ustar) {
    // star puts times in the prefix area and "tar\0" at the end; its prefix is shorter.
    const star = bytesEqual(block, 508, "tar\0");
    const prefix = parseString(block.subarray(345, star ? 476 : 500));
    if (prefix) name = `${prefix}/${name}`;
  }
  const typeflag = String.fromCharCode(block[156]);
  const header: TarHeader = {
    name,
    mode: parseNumeric(block.subarray(100, 108), "mode") & 0o7777,
    uid: parseNumeric(block.subarray(108, 116), "uid"),
    gid: parseNumeric(block.subarray(116, 124), "gid"),
    size: parseNumeric(block.subarray(124, 136), "size"),
    mtime: parseNumeric(block.subarray(136, 148), "mtime"),
    typeflag,
    linkname: parseString(block.subarray(157, 257)),
    devmajor: ustar || gnu ? parseNumeric(block.subarray(329, 337), "devmajor") : 0,
    devminor: ustar || gnu ? parseNumeric(block.subarray(337, 345), "devminor") : 0,
  };
  if (gnu && typeflag === "S") {
    header.gnuSparse = {
      segments: parseSparseSlots(block, 386, 4),
      extended: block[482] !== 0,
      realSize: parseNumeric(block.subarray(483, 495), "sparse realsize"),
    };
  }
  return header;
}
