/**
 * A small tar writer for the unit tests of this folder: headers are built
 * field by field, so tests can make archives no ordinary tool would (bad
 * checksums, odd types, NULs in names). The integration tests use archives
 * made by Python's tarfile and GNU tar instead.
 *
 * @module
 */

/** One entry to write. */
export interface TestEntry {
  /** Name field (up to 100 bytes). */
  name: string;
  /** Type flag (default "0"). */
  type?: string;
  /** Mode (default 0644). */
  mode?: number;
  /** Owner uid. */
  uid?: number;
  /** Owner gid. */
  gid?: number;
  /** Modification time in seconds (default 1,600,000,000). */
  mtime?: number;
  /** Link target. */
  linkname?: string;
  /** Data (text is UTF-8 encoded). */
  data?: Uint8Array | string;
  /** Size field, when it should differ from the data's length. */
  size?: number;
  /** Magic and version: ustar (default), GNU or none (v7). */
  format?: "ustar" | "gnu" | "v7";
  /** PAX records, written as an 'x' header before the entry. */
  pax?: Record<string, string | Uint8Array>;
  /** Raw bytes to patch into the header after it is built, at these offsets. */
  patch?: Record<number, number>;
  /** Skip the checksum (leave it wrong). */
  badChecksum?: boolean;
}

const encoder = new TextEncoder();

function bytes(data: Uint8Array | string | undefined): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data ?? new Uint8Array(0);
}

function octal(block: Uint8Array, at: number, width: number, value: number): void {
  block.set(encoder.encode(value.toString(8).padStart(width - 1, "0")), at);
}

/**
 * A header block.
 *
 * @param entry The entry.
 * @returns 512 bytes.
 */
export function tarHeader(entry: TestEntry): Uint8Array {
  const block = new Uint8Array(512);
  block.set(encoder.encode(entry.name).subarray(0, 100), 0);
  octal(block, 100, 8, entry.mode ?? 0o644);
  octal(block, 108, 8, entry.uid ?? 0);
  octal(block, 116, 8, entry.gid ?? 0);
  octal(block, 124, 12, entry.size ?? bytes(entry.data).length);
  octal(block, 136, 12, entry.mtime ?? 1_600_000_000);
  block[156] = (entry.type ?? "0").charCodeAt(0);
  block.set(encoder.encode(entry.linkname ?? "").subarray(0, 100), 157);
  const format = entry.format ?? "ustar";
  if (format === "ustar") block.set(encoder.encode("ustar\x0000"), 257);
  if (format === "gnu") block.set(encoder.encode("ustar  \0"), 257);
  for (const [at, value] of Object.entries(entry.patch ?? {})) block[Number(at)] = value;
  if (!entry.badChecksum) {
    block.fill(0x20, 148, 156);
    const sum = block.reduce((a, b) => a + b, 0);
    block.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  }
  return block;
}

/**
 * The data of a PAX header.
 *
 * @param records Keys and values.
 * @returns The records, each `"%d %s=%s\n"`.
 */
export function paxData(records: Record<string, string | Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = [...encoder.encode(` ${key}=`), ...bytes(value), 0x0a];
    let length = body.length + 1;
    while (String(length).length + body.length !== length) length++;
    parts.push(new Uint8Array([...encoder.encode(String(length)), ...body]));
  }
  return concat(parts);
}

/**
 * Joins byte arrays.
 *
 * @param parts The arrays.
 * @returns One array.
 */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/**
 * An archive.
 *
 * @param entries The entries, in order.
 * @param end Add the two zero blocks that end an archive (default true).
 * @returns The archive's bytes.
 */
export function makeTar(entries: TestEntry[], end = true): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.pax) {
      const data = paxData(entry.pax);
      parts.push(tarHeader({ name: "PaxHeader", type: "x", data }), padded(data));
    }
    parts.push(tarHeader(entry), padded(bytes(entry.data)));
  }
  if (end) parts.push(new Uint8Array(1024));
  return concat(parts);
}

/**
 * A stream of `data` in chunks of `size` bytes.
 *
 * @param data The bytes.
 * @param size Chunk size.
 * @returns The stream.
 */
export function streamOf(data: Uint8Array, size = 65536): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(data.slice(at, at + size));
      at += size;
    },
  });
}
