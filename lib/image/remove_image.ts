/**
 * Removing an image name or an image, with docker's rules: a name removes
 * that tag, and the image goes with its last name; an id removes the image
 * and all its names. An image a container uses is refused unless forced;
 * forced, the image goes and its layers stay for the containers until they
 * are gone. What the image held alone (blobs, unpacked layers) is freed.
 *
 * @module
 */
import { removalEvents } from "./removal_events.ts";
import { EXIT_STATE_INVALID, NookError } from "../errors/mod.ts";
import { removeTree } from "../layers/remove_tree.ts";
import { parseReference } from "../reference/mod.ts";
import { collectGarbage, type GarbageReport } from "../store/collect_garbage.ts";
import { type ImageRecord, type StoreLayout, storeLayout } from "../store/mod.ts";
import { displayName } from "./display_name.ts";
import { findImage } from "./find_image.ts";
import { NoSuchImageError } from "./no_such_image.ts";
import { containerExists, listContainers } from "./list_containers.ts";

/** Options of {@linkcode removeImage}. */
export interface RemoveImageOptions {
  /**
   * Remove an image that containers use (its layers stay until they are
   * gone), or by id an image with names in several repositories.
   */
  force?: boolean;
  /** The store (default: nook's data directory). */
  layout?: StoreLayout;
  /** Removes layer directories (default `removeTree` of `lib/layers`; tests replace it). */
  removeTree?: (path: string) => Promise<void>;
}

/** What {@linkcode removeImage} did, in docker's words. */
export interface RemoveImageResult {
  /** Names and repository digests removed, familiar (`busybox:latest`). */
  untagged: string[];
  /** The image id when the image was deleted, then the chain ids of the layers freed. */
  deleted: string[];
  /** What was freed on disk. */
  freed: GarbageReport;
}

/**
 * Whether `text` names `id` as an id or id prefix, as `findImage()` tries first.
 *
 * @param text What the user typed.
 * @param id An image id.
 * @returns True for an id reference.
 */
function isIdReference(text: string, id: string): boolean {
  const hex = text.replace(/^sha256:/, "");
  return /^[0-9a-f]{3,64}$/.test(hex) && id.slice(7).startsWith(hex);
}

/** `registry/repository` of a full name or repository digest. */
function repositoryOf(name: string): string {
  const ref = parseReference(name);
  return `${ref.registry}/${ref.repository}`;
}

/** The name changes `text` asks for, applied to copies; whether the image then goes. */
function plan(
  text: string,
  image: ImageRecord,
  force: boolean,
): { names: string[]; repoDigests: string[]; remove: boolean } {
  if (isIdReference(text, image.id)) {
    const repos = new Set(image.names.map(repositoryOf));
    if (repos.size > 1 && !force) {
      throw new NookError(
        `Cannot remove image '${text}': it is referenced in ${repos.size} repositories ` +
          "(remove its names, or use -f)",
      );
    }
    return { names: [], repoDigests: [], remove: true };
  }
  const ref = parseReference(text); // findImage() found it by this name, so it parses
  const repo = `${ref.registry}/${ref.repository}`;
  let names = image.names;
  let repoDigests = image.repoDigests;
  if (ref.digest) {
    repoDigests = repoDigests.filter((d) => d !== `${repo}@${ref.digest}`);
  } else {
    names = names.filter((n) => n !== `${repo}:${ref.tag}`);
    // As docker: the last tag of a repository takes that repository's digests with it.
    if (!names.some((n) => repositoryOf(n) === repo)) {
      repoDigests = repoDigests.filter((d) => repositoryOf(d) !== repo);
    }
  }
  return { names, repoDigests, remove: names.length === 0 && repoDigests.length === 0 };
}

/**
 * Removes a name, or an image and its names (docker's `rmi`).
 *
 * @param text A name (`busybox`, `host:5000/x:1`, `x@sha256:...`), an id or an id prefix.
 * @param options Force, store, tree remover.
 * @returns The names untagged, the image and layers deleted, the space freed.
 * @throws {NoSuchImageError} `No such image: <text>`.
 * @throws {NookError} `Cannot remove image '<text>':
 *   container <id> is using it (use -f)` (exit code 2) when removing it would delete an
 *   image a container uses; several repositories by id without force.
 *
 * @example
 * ```ts ignore
 * const { untagged, deleted } = await removeImage("busybox");
 * for (const n of untagged) console.log(`Untagged: ${n}`);
 * for (const d of deleted) console.log(`Deleted: ${d}`);
 * ```
 */
export async function removeImage(
  text: string,
  options: RemoveImageOptions = {},
): Promise<RemoveImageResult> {
  const layout = options.layout ?? storeLayout();
  const force = options.force ?? false;
  const { result, freed } = await collectGarbage(layout, {
    removeTree: options.removeTree ?? removeTree,
    containerExists: (id) => containerExists(layout, id),
    change: (index, holds) => {
      const found = findImage(layout, text);
      const image = found && index.images.find((i) => i.id === found.id);
      if (!image) throw new NoSuchImageError(text);
      const next = plan(text, image, force);
      const users = next.remove ? listContainers(layout).filter((c) => c.image === image.id) : [];
      if (users.length > 0 && !force) {
        throw new NookError(
          `Cannot remove image '${text}': container ${users[0].id.slice(0, 12)} is using it ` +
            "(use -f)",
          { exitCode: EXIT_STATE_INVALID },
        );
      }
      const untagged = [
        ...image.names.filter((n) => !next.names.includes(n)),
        ...image.repoDigests.filter((d) => !next.repoDigests.includes(d)),
      ].map(displayName);
      image.names = next.names;
      image.repoDigests = next.repoDigests;
      if (!next.remove) return { untagged, deleted: [], imageId: image.id };
      index.images = index.images.filter((i) => i !== image);
      for (const user of users) holds.push({ container: user.id, chainIds: [...image.chainIds] });
      return { untagged, deleted: [image.id], imageId: image.id };
    },
  });
  const deleted = result.deleted.length ? [...result.deleted, ...freed.layers] : [];
  await removalEvents(layout, result.imageId, result.untagged, result.deleted);
  return { untagged: result.untagged, deleted, freed };
}
