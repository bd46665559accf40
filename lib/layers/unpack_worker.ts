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
    const stats = await unpackLayer(sys.stdinStream(), dest, {
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
