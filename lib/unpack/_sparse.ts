/**
 * Sparse file maps of GNU tar's PAX formats 0.0/0.1 (a `GNU.sparse.map`
 * record) and 1.0 (a decimal map at the start of the file's data), and the
 * check every map passes before its segments are written.
 *
 * @module
 */
import { BLOCK, type SparseSegment } from "./_tar_header.ts";
import { TarFormatError } from "./tar_format_error.ts";

/** The largest sparse map read (GNU tar's own limit on such headers is lower). */
const MAX_MAP_BYTES = 1 << 20;

function corrupt(name: string, why: string): TarFormatError {
  return new TarFormatError(`sparse file '${name}' ${why}`, { entry: name });
}

function toNumber(text: string, name: string): number {
  if (!/^[0-9]{1,16}$/.test(text) || Number(text) > Number.MAX_SAFE_INTEGER) {
    throw corrupt(name, `has '${text}' in its map, not a number`);
  }
  return Number(text);
}

function pairs(numbers: number[], name: string): SparseSegment[] {
  if (numbers.length % 2 !== 0) throw corrupt(name, "has an odd number of values in its map");
  const segments: SparseSegment[] = [];
  for (let i = 0; i < numbers.length; i += 2) {
    segments.push({ offset: numbers[i], length: numbers[i + 1] });
  }
  return segments;
}

/**
 * The segments of a format 0.0 or 0.1 map: `offset,length,offset,length...`.
 *
 * @param text The `GNU.sparse.map` value.
 * @param name The entry's name, for the error message.
 * @returns The segments.
 * @throws {TarFormatError} On a malformed map.
 */
export function parseSparseMapText(text: string, name: string): SparseSegment[] {
  if (text === "") return [];
  return pairs(text.split(",").map((t) => toNumber(t, name)), name);
}

/**
 * Reads the map of a format 1.0 sparse file from the start of its data: the
 * number of segments, then each offset and length, one decimal per line,
 * padded to a whole block. Blocks are pushed one at a time; each byte is
 * looked at once.
 */
export class SparseMap10Reader {
  #name: string;
  #text = "";
  #lines: string[] = [];
  #wanted = -1;
  #blocks = 0;

  /** @param name The entry's name, for error messages. */
  constructor(name: string) {
    this.#name = name;
  }

  /**
   * Reads the next block of the map.
   *
   * @param block A 512-byte block of the entry's data.
   * @returns The segments and the bytes the map takes, or null when more
   *   blocks are needed.
   * @throws {TarFormatError} On a malformed or too large map.
   */
  push(block: Uint8Array): { segments: SparseSegment[]; mapBytes: number } | null {
    this.#blocks++;
    if (this.#blocks * BLOCK > MAX_MAP_BYTES) {
      throw corrupt(this.#name, "has a map larger than 1 MiB");
    }
    const parts = (this.#text + new TextDecoder().decode(block)).split("\n");
    this.#text = parts.pop()!;
    for (const line of parts) {
      this.#lines.push(line);
      if (this.#wanted < 0) {
        const count = toNumber(line, this.#name);
        if (count * 2 * 2 > MAX_MAP_BYTES) throw corrupt(this.#name, `has ${count} segments`);
        this.#wanted = 1 + 2 * count;
      }
      if (this.#lines.length === this.#wanted) {
        const numbers = this.#lines.slice(1).map((t) => toNumber(t, this.#name));
        return { segments: pairs(numbers, this.#name), mapBytes: this.#blocks * BLOCK };
      }
    }
    return null;
  }
}

/**
 * Checks a sparse map: segments in order, not overlapping, inside the file,
 * and their lengths adding up to the data stored in the archive.
 *
 * @param segments The map.
 * @param realSize Size of the file with its holes.
 * @param stored Bytes of data the archive holds for it.
 * @param name The entry's name, for the error message.
 * @throws {TarFormatError} When the map does not fit.
 */
export function checkSparseMap(
  segments: readonly SparseSegment[],
  realSize: number,
  stored: number,
  name: string,
): void {
  let end = 0;
  let total = 0;
  for (const { offset, length } of segments) {
    if (length < 0 || offset < end || offset + length > realSize) {
      throw corrupt(name, `has a segment of ${length} bytes at ${offset} that does not fit`);
    }
    end = offset + length;
    total += length;
  }
  if (total !== stored) {
    throw corrupt(name, `maps ${total} bytes but the archive holds ${stored}`);
  }
}
