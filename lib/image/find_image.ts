/**
 * Finds an image in the index by name (docker's normalization: `busybox` is
 * `docker.io/library/busybox:latest`), by id, or by a unique id prefix.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { parseReference } from "../reference/mod.ts";
import { type ImageRecord, readIndex, type StoreLayout } from "../store/mod.ts";

/**
 * The image `text` names, or null when there is none.
 *
 * @param layout The store.
 * @param text A name, an id, or an id prefix (at least 3 hex digits).
 * @returns The record.
 * @throws {UsageError} When an id prefix matches several images.
 *
 * @example
 * ```ts ignore
 * findImage(layout, "busybox");
 * ```
 */
export function findImage(layout: StoreLayout, text: string): ImageRecord | null {
  const { images } = readIndex(layout);
  const hex = text.replace(/^sha256:/, "");
  if (/^[0-9a-f]{3,64}$/.test(hex)) {
    const hits = images.filter((i) => i.id.slice(7).startsWith(hex));
    if (hits.length > 1) {
      throw new UsageError(`Image id prefix '${text}' is ambiguous: ${hits.length} images match`);
    }
    if (hits.length === 1) return hits[0];
  }
  let full: string;
  try {
    const ref = parseReference(text);
    const repo = `${ref.registry}/${ref.repository}`;
    if (ref.digest) {
      return images.find((i) => i.repoDigests.includes(`${repo}@${ref.digest}`)) ?? null;
    }
    full = `${repo}:${ref.tag ?? "latest"}`;
  } catch {
    return null;
  }
  return images.find((i) => i.names.includes(full)) ?? null;
}
