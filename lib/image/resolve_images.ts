/**
 * The images a list of words names (`nook save busybox 3f2a...`), each once,
 * with the names the words used: docker keeps a name in an archive only when
 * the image was given by that name, not by id.
 *
 * @module
 */
import { parseReference } from "../reference/mod.ts";
import type { ImageRecord, StoreLayout } from "../store/mod.ts";
import { findImage } from "./find_image.ts";
import { NoSuchImageError } from "./no_such_image.ts";

/** An image and the names it was asked for by. */
export interface ResolvedImage {
  /** The image. */
  image: ImageRecord;
  /** Full names (`registry/repository:tag`) the words gave it; empty when given by id. */
  names: string[];
}

/**
 * Finds the images.
 *
 * @param layout The store.
 * @param words Names, ids or id prefixes.
 * @returns One entry per image, in the order first named.
 * @throws {NoSuchImageError} When a word names no image.
 * @throws {UsageError} When an id prefix is ambiguous.
 *
 * @example
 * ```ts ignore
 * const [{ image, names }] = resolveImages(layout, ["busybox"]);
 * ```
 */
export function resolveImages(layout: StoreLayout, words: readonly string[]): ResolvedImage[] {
  const out = new Map<string, ResolvedImage>();
  for (const word of words) {
    const image = findImage(layout, word);
    if (!image) throw new NoSuchImageError(word);
    const entry = out.get(image.id) ?? { image, names: [] };
    out.set(image.id, entry);
    let name: string | null = null;
    try {
      const ref = parseReference(word);
      if (!ref.digest) name = `${ref.registry}/${ref.repository}:${ref.tag ?? "latest"}`;
    } catch {
      // an id
    }
    if (name && image.names.includes(name) && !entry.names.includes(name)) entry.names.push(name);
  }
  return [...out.values()];
}
