/**
 * The full text form of a reference.
 *
 * @module
 */
import type { Reference } from "./reference.ts";

/**
 * The full form of a reference: `registry/repository[:tag][@digest]`, which
 * {@linkcode parseReference} reads back unchanged.
 *
 * @param ref A parsed reference.
 * @returns Its text, such as `docker.io/library/busybox:latest`.
 *
 * @example
 * ```ts
 * import { formatReference } from "./format_reference.ts";
 * import { parseReference } from "./parse_reference.ts";
 * console.assert(formatReference(parseReference("busybox")) === "docker.io/library/busybox:latest");
 * ```
 */
export function formatReference(ref: Reference): string {
  let text = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}
