/**
 * An image's history (`nook history`), as docker's API gives it: one entry
 * per history record of its config, newest first, each with the size of the
 * layer it made (0 for an `empty_layer` record such as `ENV`).
 *
 * @module
 */
import { type StoreLayout, storeLayout } from "../store/layout.ts";
import { findImage } from "./find_image.ts";
import { NoSuchImageError } from "./no_such_image.ts";
import { readImageConfig } from "./read_image_config.ts";
import { readImageManifest } from "./read_image_manifest.ts";

/** One entry, as docker's `ImageHistoryResponseItem`. */
export interface HistoryEntry {
  /** The image's id on the newest entry, else `<missing>` (docker's word: no image of its own). */
  Id: string;
  /** When it was made, seconds since the epoch (0: unknown). */
  Created: number;
  /** The command that made it (`/bin/sh -c #(nop)  CMD ["sh"]`). */
  CreatedBy: string;
  /** The image's names, on the newest entry. */
  Tags: string[] | null;
  /** The size of the layer it made (as stored: compressed), 0 for none. */
  Size: number;
  /** Its comment. */
  Comment: string;
}

interface HistoryRecord {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** Options of {@linkcode imageHistory}. */
export interface ImageHistoryOptions {
  /** The store (default: nook's). */
  layout?: StoreLayout;
}

/**
 * The history of an image, newest first. An image whose config has no
 * history gets one entry per layer (what docker shows for such images).
 *
 * @param reference A name or id.
 * @param options The store.
 * @returns The entries.
 * @throws {NoSuchImageError} When there is no such image.
 *
 * @example
 * ```ts ignore
 * for (const h of imageHistory("busybox")) console.log(h.CreatedBy, h.Size);
 * ```
 */
export function imageHistory(reference: string, options: ImageHistoryOptions = {}): HistoryEntry[] {
  const layout = options.layout ?? storeLayout();
  const image = findImage(layout, reference);
  if (!image) throw new NoSuchImageError(reference);
  const config = readImageConfig(layout, image);
  const sizes = readImageManifest(layout, image).manifest.layers.map((l) => l.size);
  const records = (config.history ?? []) as HistoryRecord[];
  const seconds = (iso?: string) => {
    const ms = iso ? Date.parse(iso) : NaN;
    return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
  };
  let layer = 0;
  const entries: HistoryEntry[] = records.length
    ? records.map((r) => ({
      Id: "<missing>",
      Created: seconds(r.created),
      CreatedBy: r.created_by ?? "",
      Tags: null,
      Size: r.empty_layer ? 0 : sizes[layer++] ?? 0,
      Comment: r.comment ?? "",
    }))
    : sizes.map((size) => ({
      Id: "<missing>",
      Created: seconds(config.created),
      CreatedBy: "",
      Tags: null,
      Size: size,
      Comment: "",
    }));
  entries.reverse();
  if (entries.length > 0) {
    entries[0].Id = image.id;
    entries[0].Tags = image.names.length ? [...image.names] : null;
  }
  return entries;
}
