/**
 * Finds a container the way docker does: by full id, by name, or by a unique
 * prefix of its id.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { type ContainerRecord, listRecords, readRecord } from "../records/container_record.ts";

/** A container reference that matches no container. */
export class NoSuchContainerError extends UsageError {
  /**
   * The error for a reference that matched nothing.
   *
   * @param ref The reference the user gave.
   */
  constructor(ref: string) {
    super(`No such container: ${ref}`);
    this.name = "NoSuchContainerError";
  }
}

/**
 * Resolves a container reference.
 *
 * @param ref A full id, a name (a leading "/" is allowed) or an id prefix.
 * @returns The container's record.
 * @throws {NoSuchContainerError} When nothing matches.
 * @throws {UsageError} When an id prefix matches more than one container.
 *
 * @example
 * ```ts ignore
 * const r = findContainer("web");
 * ```
 */
export function findContainer(ref: string): ContainerRecord {
  if (/^[0-9a-f]{64}$/.test(ref)) {
    const r = readRecord(ref);
    if (r) return r;
  }
  const all = listRecords();
  const name = ref.replace(/^\//, "");
  const byName = all.find((r) => r.name === name);
  if (byName) return byName;
  if (/^[0-9a-f]+$/.test(ref)) {
    const hits = all.filter((r) => r.id.startsWith(ref));
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) {
      throw new UsageError(
        `Container id prefix '${ref}' is ambiguous: it matches ${hits.length} containers ` +
          `(${hits.map((h) => h.id.slice(0, 12)).join(", ")}); give more characters`,
      );
    }
  }
  throw new NoSuchContainerError(ref);
}
