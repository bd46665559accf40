/**
 * The child side of {@linkcode startUnpack}: runs as root in the user
 * namespace, where only the layer directory is writable, and unpacks
 * standard input into it.
 * Errors go to stderr as one line each ("warning: " for warnings); the exit
 * code says whether it worked.
 *
 * @module
 */
import { unpackLayer } from "../unpack/mod.ts";
import { sys } from "../sys/sys.ts";

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
  const say = (line: string) => sys.stderr(line.replace(/\n/g, " ") + "\n");
  try {
    const stats = await unpackLayer(sys.stdinStream(), dest, {
      compression: compression as "gzip" | "zstd" | "none",
      owners: owners === "keep" ? "keep" : "squash",
      onWarning: (m) => say(`warning: ${m}`),
      computeDiffId: true,
    });
    const got = stats.diffId;
    if (got !== diffId) {
      throw new Error(
        `Layer diff id mismatch: the image config says ${diffId}, the layer is ${got}`,
      );
    }
    return 0;
  } catch (err) {
    say((err as Error).message);
    return 125;
  }
}
