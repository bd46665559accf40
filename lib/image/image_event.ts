/**
 * An image's events, as docker writes them: `pull` and `push` name the
 * reference, `tag` the image id and its new name, `untag` and `delete` the
 * image id.
 *
 * @module
 */
import { recordEvent } from "../events/record_event.ts";
import { eventsPath } from "../events/record_event.ts";
import type { StoreLayout } from "../store/layout.ts";
import { displayName } from "./display_name.ts";

/**
 * Appends an image event to the store's journal (never throws).
 *
 * @param layout The store.
 * @param action "pull", "push", "tag", "untag", "delete", "load", "save" or "import".
 * @param id The image id (`sha256:...`), or the reference for pull and push.
 * @param name Its `name` attribute (a reference is shown as docker shows it: `busybox:latest`).
 *
 * @example
 * ```ts ignore
 * await imageEvent(layout, "tag", image.id, "docker.io/library/busybox:1");
 * ```
 */
export async function imageEvent(
  layout: StoreLayout,
  action: string,
  id: string,
  name: string = id,
): Promise<void> {
  const shown = (n: string) => n.startsWith("sha256:") ? n : displayName(n);
  await recordEvent(
    { type: "image", action, id: shown(id), attributes: { name: shown(name) } },
    { path: eventsPath(layout.root) },
  );
}
