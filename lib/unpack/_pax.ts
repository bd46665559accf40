/**
 * PAX extended header records (`"%d %s=%s\n"`), and the PAX numbers and
 * times they hold.
 *
 * @module
 */
import { TarFormatError } from "./tar_format_error.ts";

const decoder = new TextDecoder();

/** Keys whose values GNU tar 0.0 sparse files repeat, in pairs. */
const SPARSE_OFFSET = "GNU.sparse.offset";
const SPARSE_NUMBYTES = "GNU.sparse.numbytes";
/** The key the 0.0 pairs are joined into, as GNU 0.1 writes them. */
export const SPARSE_MAP = "GNU.sparse.map";

function corrupt(why: string): TarFormatError {
  return new TarFormatError(`bad PAX record: ${why}`);
}

/**
 * Parses the records of a PAX extended header. Keys are text; values stay
 * bytes, since `SCHILY.xattr.*` values are binary. The repeated
 * `GNU.sparse.offset` / `GNU.sparse.numbytes` records of GNU's sparse format
 * 0.0 are joined into one `GNU.sparse.map` record, as in format 0.1.
 *
 * @param data The header's data.
 * @returns The records; a later record of a key replaces an earlier one.
 * @throws {TarFormatError} On a malformed record.
 */
export function parsePax(data: Uint8Array): Map<string, Uint8Array> {
  const records = new Map<string, Uint8Array>();
  const sparse: string[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // NUL padding after the last record
    const space = data.indexOf(0x20, pos);
    if (space < 0) throw corrupt("no length");
    const lengthText = decoder.decode(data.subarray(pos, space));
    if (!/^[0-9]{1,9}$/.test(lengthText)) throw corrupt(`length '${lengthText}'`);
    const end = pos + Number(lengthText);
    if (end <= space + 1 || end > data.length || data[end - 1] !== 0x0a) {
      throw corrupt(`length '${lengthText}' does not fit`);
    }
    const eq = data.indexOf(0x3d, space + 1);
    if (eq < 0 || eq >= end - 1 || eq === space + 1) throw corrupt("no key");
    const key = decoder.decode(data.subarray(space + 1, eq));
    if (key.includes("\0")) throw corrupt(`key '${key}' holds a NUL`);
    const value = data.subarray(eq + 1, end - 1);
    if (key === SPARSE_OFFSET || key === SPARSE_NUMBYTES) {
      // The pairs must alternate, offset first.
      if ((sparse.length % 2 === 0) !== (key === SPARSE_OFFSET)) {
        throw corrupt(`'${key}' out of order`);
      }
      sparse.push(decoder.decode(value));
    } else {
      records.set(key, value);
    }
    pos = end;
  }
  if (sparse.length) records.set(SPARSE_MAP, new TextEncoder().encode(sparse.join(",")));
  return records;
}

/**
 * A PAX record's value as text.
 *
 * @param value The raw value.
 * @returns The UTF-8 text.
 */
export function paxText(value: Uint8Array): string {
  return decoder.decode(value);
}

/**
 * A PAX decimal integer (size, uid, gid, sparse sizes).
 *
 * @param value The raw value.
 * @param key The record's key, for the error message.
 * @returns The number.
 * @throws {TarFormatError} When it is not a non-negative integer below 2^53.
 */
export function paxInteger(value: Uint8Array, key: string): number {
  const text = paxText(value);
  if (!/^[0-9]{1,16}$/.test(text) || Number(text) > Number.MAX_SAFE_INTEGER) {
    throw corrupt(`'${key}' is '${text}', not a number`);
  }
  return Number(text);
}

/**
 * A PAX time (`mtime`, `atime`): decimal seconds with an optional sign and
 * fraction, to nanoseconds (digits past the ninth are dropped).
 *
 * @param value The raw value.
 * @param key The record's key, for the error message.
 * @returns Nanoseconds since the epoch.
 * @throws {TarFormatError} When it is not a decimal number.
 */
export function paxTimeNs(value: Uint8Array, key: string): bigint {
  const text = paxText(value);
  const m = /^(-?)([0-9]{1,19})(?:\.([0-9]*))?$/.exec(text);
  if (!m) throw corrupt(`'${key}' is '${text}', not a time`);
  const ns = BigInt(m[2]) * 1_000_000_000n + BigInt((m[3] ?? "").slice(0, 9).padEnd(9, "0"));
  return m[1] ? -ns : ns;
}
