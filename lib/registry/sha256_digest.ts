/**
 * The sha256 digest of bytes in memory.
 *
 * @module
 */

/**
 * The `sha256:<hex>` digest of some bytes (Web Crypto; for manifests and
 * configs, which are small).
 *
 * @param bytes The content.
 * @returns Its digest.
 *
 * @example
 * ```ts
 * import { sha256Digest } from "./sha256_digest.ts";
 * const d = await sha256Digest(new Uint8Array(0));
 * console.assert(d === "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
 * ```
 */
export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
