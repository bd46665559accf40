/**
 * Giving an image another name (docker's `tag`).
 *
 * @module
 */
import { imageEvent } from "./image_event.ts";
import { UsageError } from "../errors/mod.ts";
import { parseReference } from "../reference/mod.ts";
import { type StoreLayout, storeLayout, updateIndex } from "../store/mod.ts";
import { findImage } from "./find_image.ts";
import { NoSuchImageError } from "./no_such_image.ts";

/** Options of {@linkcode tagImage}. */
export interface TagImageOptions {
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
}

/**
 * Points the name `target` at the image `source` names. The name is
 * normalized as docker does (`x` is `docker.io/library/x:latest`) and taken
 * from any other image that had it.
 *
 * @param source A name, id or id prefix of a stored image.
 * @param target The new name, `[registry/]repository[:tag]`.
 * @param options The store.
 * @returns The full new name.
 * @throws {UsageError} When `target` is not a valid name or holds a digest.
 * @throws {NoSuchImageError} `No such image: <source>`.
 *
 * @example
 * ```ts ignore
 * await tagImage("busybox", "127.0.0.1:5000/mine/busybox:1"); // "127.0.0.1:5000/mine/busybox:1"
 * ```
 */
export async function tagImage(
  source: string,
  target: string,
  options: TagImageOptions = {},
): Promise<string> {
  const layout = options.layout ?? storeLayout();
  const ref = parseReference(target);
  if (ref.digest) {
    throw new UsageError(`Invalid tag '${target}': a tag cannot hold a digest`);
  }
  const name = `${ref.registry}/${ref.repository}:${ref.tag ?? "latest"}`;
  const id = await updateIndex(layout, (index) => {
    const found = findImage(layout, source);
    const image = found && index.images.find((i) => i.id === found.id);
    if (!image) throw new NoSuchImageError(source);
    for (const other of index.images) other.names = other.names.filter((n) => n !== name);
    image.names.push(name);
    return image.id;
  });
  await imageEvent(layout, "tag", id, name);
  return name;
}
