/**
 * Taking names off an image without removing it (podman's `untag`).
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { parseReference } from "../reference/mod.ts";
import { type StoreLayout, storeLayout, updateIndex } from "../store/mod.ts";
import { displayName } from "./display_name.ts";
import { findImage } from "./find_image.ts";
import { NoSuchImageError } from "./no_such_image.ts";

/** Options of {@linkcode untagImage}. */
export interface UntagImageOptions {
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
}

/**
 * Takes names off the image `source` names; with no names, all of them. The
 * image stays (untagged, it is listed as `<none>`); names are normalized as
 * `tag` does (`x` is `docker.io/library/x:latest`). Nothing changes when one
 * name is not the image's.
 *
 * @param source A name, id or id prefix of a stored image.
 * @param names The names to take off (none: every name).
 * @param options The store.
 * @returns The names taken off, familiar (`busybox:latest`).
 * @throws {NoSuchImageError} `No such image: <source>`.
 * @throws {UsageError} When a name is not one of the image's, or holds a digest.
 *
 * @example
 * ```ts ignore
 * await untagImage("busybox", ["127.0.0.1:5000/mine/busybox:1"]); // ["127.0.0.1:5000/mine/busybox:1"]
 * ```
 */
export async function untagImage(
  source: string,
  names: readonly string[],
  options: UntagImageOptions = {},
): Promise<string[]> {
  const layout = options.layout ?? storeLayout();
  const full = names.map((name) => {
    const ref = parseReference(name);
    if (ref.digest) throw new UsageError(`Invalid tag '${name}': a tag cannot hold a digest`);
    return `${ref.registry}/${ref.repository}:${ref.tag ?? "latest"}`;
  });
  return await updateIndex(layout, (index) => {
    const found = findImage(layout, source);
    const image = found && index.images.find((i) => i.id === found.id);
    if (!image) throw new NoSuchImageError(source);
    const missing = full.findIndex((n) => !image.names.includes(n));
    if (missing >= 0) {
      throw new UsageError(
        `Cannot untag '${names[missing]}': it is not a name of image ${image.id.slice(7, 19)} ` +
          `(its names: ${image.names.map(displayName).join(", ") || "none"})`,
      );
    }
    const gone = full.length ? image.names.filter((n) => full.includes(n)) : image.names;
    image.names = image.names.filter((n) => !gone.includes(n));
    return gone.map(displayName);
  });
}
