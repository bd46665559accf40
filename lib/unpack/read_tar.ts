/**
 * A pull reader over a tar byte stream, for archives whose entries are read
 * one after the other (image archives: docker save output, an OCI layout in a
 * tar). It drives the one tar parser of nook ({@linkcode TarParser}), so it
 * reads everything that does: ustar, PAX, GNU long names and links, sparse
 * files (their holes come back as zeros).
 *
 * @module
 */
import { type TarEntry, TarParser } from "./_tar_parser.ts";

/** One entry of the archive, with a way to read its data. */
export interface TarReadEntry extends TarEntry {
  /**
   * The file's data, `size` bytes (holes of a sparse file as zeros). Read it
   * (or not) before asking for the next entry; what is left unread is skipped.
   */
  data(): AsyncGenerator<Uint8Array>;
}

/** What the parser reported, in order. */
type Event =
  | { kind: "entry"; entry: TarEntry }
  | { kind: "data"; chunk: Uint8Array; offset: number }
  | { kind: "end" };

/** The largest run of zeros handed out at once for a hole. */
const ZEROS = 1 << 20;

function* zeros(length: number): Generator<Uint8Array> {
  for (let left = length; left > 0; left -= ZEROS) yield new Uint8Array(Math.min(left, ZEROS));
}

/**
 * Reads a tar archive entry by entry. Entries of types nook does not know (a
 * GNU volume label, ...) are passed over.
 *
 * @param stream The archive (uncompressed); it is read up to its end-of-archive
 *   blocks (or its end), then cancelled.
 * @returns The entries, in archive order.
 * @throws {TarFormatError} On a bad checksum, a truncated entry or a malformed header.
 *
 * @example Read the files of an archive
 * ```ts
 * import { readTar } from "./read_tar.ts";
 * const header = new Uint8Array(512);
 * const put = (at: number, text: string) => header.set(new TextEncoder().encode(text), at);
 * put(0, "a.txt");
 * put(100, "0000644");
 * put(124, "00000000002");
 * put(156, "0");
 * put(257, "ustar\u000000");
 * put(148, "        ");
 * put(148, `${header.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0")}\u0000 `);
 * const data = new Uint8Array(512);
 * data.set([104, 105]);
 * const tar = ReadableStream.from([header, data, new Uint8Array(1024)]);
 * for await (const entry of readTar(tar)) {
 *   const bytes = (await Array.fromAsync(entry.data())).flatMap((c) => [...c]);
 *   console.assert(entry.name === "a.txt" && bytes.length === 2);
 * }
 * ```
 */
export async function* readTar(stream: ReadableStream<Uint8Array>): AsyncGenerator<TarReadEntry> {
  const events: Event[] = [];
  let head = 0;
  const parser = new TarParser({
    entry: (entry) => events.push({ kind: "entry", entry }),
    data: (chunk, offset) => events.push({ kind: "data", chunk, offset }),
    end: () => events.push({ kind: "end" }),
  }, { unknownTypes: "skip" });
  const reader = stream.getReader();
  let ended = false;

  /** The next event, reading on when there is none; null at the end of the archive. */
  async function next(): Promise<Event | null> {
    while (head === events.length) {
      events.length = head = 0;
      if (ended || parser.done) return null;
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        parser.finish();
      } else parser.push(value);
    }
    return events[head++];
  }

  try {
    for (;;) {
      const event = await next();
      if (event === null) return;
      if (event.kind !== "entry") continue; // cannot happen: data and end follow an entry
      const entry = event.entry;
      let complete = false;
      let at = 0; // bytes of the file handed out
      const data = async function* (): AsyncGenerator<Uint8Array> {
        while (!complete) {
          const got = await next();
          if (got === null || got.kind === "entry") break; // cannot happen: the parser threw
          if (got.kind === "end") {
            complete = true;
            break;
          }
          yield* zeros(got.offset - at);
          yield got.chunk;
          at = got.offset + got.chunk.length;
        }
        if (complete) { // the hole at the end of a sparse file
          const left = entry.size - at;
          at = entry.size;
          yield* zeros(left);
        }
      };
      yield { ...entry, data };
      while (!complete) {
        const got = await next();
        if (got === null || got.kind === "end") complete = true;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
