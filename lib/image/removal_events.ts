/**
 * The events of an image removal, as docker writes them: an `untag` for
 * each name taken off, then a `delete` when the image went.
 *
 * @module
 */
import type { StoreLayout } from "../store/layout.ts";
import { imageEvent } from "./image_event.ts";

/**
 * Appends the events of a removal.
 *
 * @param layout The store.
 * @param id The image id.
 * @param untagged The names taken off it.
 * @param deleted Its id when it was deleted.
 *
 * @example
 * ```ts ignore
 * await removalEvents(layout, image.id, ["busybox:latest"], [image.id]);
 * ```
 */
export async function removalEvents(
  layout: StoreLayout,
  id: string,
  untagged: readonly string[],
  deleted: readonly string[],
): Promise<void> {
  for (const _ of untagged) await imageEvent(layout, "untag", id);
  if (deleted.includes(id)) await imageEvent(layout, "delete", id);
}
