/**
 * Digest validation, done before a digest becomes part of a URL or a file
 * name (containers/image CVE-2024-3727: unvalidated digests let a registry
 * write outside the blob store).
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { SHA256_DIGEST_RE } from "./_grammar.ts";

/**
 * Whether a value is a digest nook accepts: `sha256:` and 64 lowercase hex
 * digits, nothing more.
 *
 * @param value Any value.
 * @returns True for a valid sha256 digest.
 *
 * @example
 * ```ts
 * import { isDigest } from "./validate_digest.ts";
 * console.assert(isDigest("sha256:" + "a".repeat(64)));
 * console.assert(!isDigest("sha256:../../etc/passwd"));
 * ```
 */
export function isDigest(value: unknown): value is string {
  return typeof value === "string" && SHA256_DIGEST_RE.test(value);
}

/**
 * Checks that a digest is `sha256:` and 64 lowercase hex digits.
 *
 * @param digest The digest to check.
 * @returns The same digest.
 * @throws {UsageError} When it is anything else; the message names the value.
 *
 * @example
 * ```ts
 * import { validateDigest } from "./validate_digest.ts";
 * const d = validateDigest("sha256:" + "0".repeat(64));
 * try {
 *   validateDigest("sha256:/../x");
 * } catch (err) {
 *   console.assert((err as Error).message.startsWith("Invalid digest 'sha256:/../x'"));
 * }
 * ```
 */
export function validateDigest(digest: string): string {
  if (isDigest(digest)) return digest;
  const shown = typeof digest === "string" ? digest : String(digest);
  const algorithm = shown.includes(":") ? shown.slice(0, shown.indexOf(":")) : "";
  const why = /^[a-z][a-z0-9]*$/.test(algorithm) && algorithm !== "sha256"
    ? `unsupported algorithm '${algorithm}', expected sha256`
    : "expected 'sha256:' and 64 lowercase hex digits";
  throw new UsageError(`Invalid digest '${shown}': ${why}`);
}
