/**
 * The check an image's registration makes under the index lock: an `rmi` or
 * `prune` running meanwhile may have freed a layer this command found
 * "already there", and an image must not be registered without it.
 *
 * @module
 */
import { NookError } from "../errors/mod.ts";
import { blobPath, layerPath, type StoreLayout } from "../store/mod.ts";
import { sys } from "../sys/sys.ts";

/**
 * Throws when the config or an unpacked layer of an image is gone.
 *
 * @param layout The store.
 * @param configDigest The image's config digest.
 * @param chainIds Its layers' chain ids.
 * @param what The command, for the message ("Load of 'x.tar'").
 * @throws {NookError} Naming the missing path.
 *
 * @example
 * ```ts ignore
 * await updateIndex(layout, (index) => {
 *   checkStored(layout, record.id, record.chainIds, "The load");
 *   putImage(index, record, name);
 * });
 * ```
 */
export function checkStored(
  layout: StoreLayout,
  configDigest: string,
  chainIds: readonly string[],
  what: string,
): void {
  for (
    const path of [
      blobPath(layout, configDigest),
      ...chainIds.map((c) => `${layerPath(layout, c)}/diff`),
    ]
  ) {
    if (sys.stat(path) === null) {
      throw new NookError(`${what} raced with an image removal ('${path}' is gone); try again`);
    }
  }
}
