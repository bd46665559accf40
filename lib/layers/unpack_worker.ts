/**
 * The child side of {@linkcode startUnpack}: runs as root in the user
 * namespace, where only the layer directory is writable, and unpacks
 * standard input into it. It reports as every such worker does
 * ({@linkcode runUsernsWorker}).
 *
 * @module
 */
import { unpackLayer } from "../unpack/mod.ts";
import { sys } from "../sys/sys.ts";
import { runUsernsWorker } from "./userns_worker_main.ts";

/**
 * `_unpack-layer DEST COMPRESSION DIFF_ID OWNERS`.
 *
 * @param args The arguments.
 * @returns The exit code.
 *
 * @example
 * ```ts ignore
 * await main(["/layers/incoming/x/diff", "gzip", "sha256:...", "keep"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [dest, compression, diffId, owners] = args;
  return await runUsernsWorker(async (warn) => {
    // Blocking reads of up to 1 MiB (the parent's pipe holds as much): the input is all this
    // process does, and an asynchronous read of the default 64 KiB costs a hop to another
    // thread and back, over 3,000 of them for a 200 MB layer. Four buffers in turn: the
    // unpacker is done with a chunk when it asks for the one after next (it reads one ahead,
    // hashes, parses and writes each chunk at once, and copies the parts of headers it keeps),
    // and a new 1 MiB buffer per read cost 0.1 s of page faults per 200 MB.
    const input = sys.stdinStream({ blockingReads: 1 << 20, reuseBuffers: 4 });
    const stats = await unpackLayer(input, dest, {
      compression: compression as "gzip" | "zstd" | "none",
      owners: owners === "keep" ? "keep" : "squash",
      onWarning: warn,
      computeDiffId: true,
    });
    const got = stats.diffId;
    if (got !== diffId) {
      throw new Error(
        `Layer diff id mismatch: the image config says ${diffId}, the layer is ${got}`,
      );
    }
  });
}
