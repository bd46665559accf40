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
    // thread and back, over 3,000 of them for a 200 MB layer.
    const input = sys.stdinStream({ blockingReads: 1 << 20 });
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
