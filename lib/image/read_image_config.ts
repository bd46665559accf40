/**
 * Reads an image's config from the store.
 *
 * @module
 */
import { blobPath, type ImageRecord, type StoreLayout } from "../store/mod.ts";
import type { ImageConfig } from "./image_config.ts";
import { sys } from "../sys/sys.ts";

/**
 * The config of a stored image.
 *
 * @param layout The store.
 * @param image Its record.
 * @returns The parsed config.
 *
 * @example
 * ```ts ignore
 * readImageConfig(layout, record).config?.Cmd;
 * ```
 */
export function readImageConfig(layout: StoreLayout, image: ImageRecord): ImageConfig {
  return JSON.parse(sys.readText(blobPath(layout, image.id)) ?? "null") as ImageConfig;
}
