/**
 * Image references (`busybox`, `user/repo:tag`, `host:port/repo@sha256:...`)
 * parsed, validated and printed the way docker does.
 *
 * @example Parse, print in full and in docker's short form
 * ```ts
 * import { familiarName, formatReference, parseReference } from "./mod.ts";
 * const ref = parseReference("busybox");
 * console.assert(formatReference(ref) === "docker.io/library/busybox:latest");
 * console.assert(familiarName(ref) === "busybox:latest");
 * ```
 *
 * @module
 */
export { DEFAULT_REGISTRY, DEFAULT_TAG, type Reference } from "./reference.ts";
export { parseReference } from "./parse_reference.ts";
export { formatReference } from "./format_reference.ts";
export { familiarName } from "./familiar_name.ts";
export { registryApiHost } from "./registry_api_host.ts";
export { isDigest, validateDigest } from "./validate_digest.ts";
export { normalizeRegistry } from "./normalize_registry.ts";
