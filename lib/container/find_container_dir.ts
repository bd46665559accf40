/**
 * A container's directory and record from what a user typed (its full id, a
 * unique prefix of it, or its name), for the filesystem verbs (diff, commit,
 * export, cp).
 *
 * @module
 */
import { containerDir } from "../records/container_record.ts";
import { findContainer } from "./find_container.ts";

/** A container found by {@linkcode findContainerDir}. */
export interface FoundContainer {
  /** Its full id. */
  id: string;
  /** Its directory. */
  dir: string;
  /** Its `container.json`. */
  record: Record<string, unknown>;
}

/**
 * The container `ref` names.
 *
 * @param ref A full id, a unique id prefix, or a name.
 * @returns Its id, directory and record.
 * @throws {UsageError} "No such container: REF" when none matches, or when
 *   a prefix matches several.
 *
 * @example
 * ```ts ignore
 * import { findContainerDir } from "./find_container_dir.ts";
 * const { id, dir } = findContainerDir("f45a27");
 * ```
 */
export function findContainerDir(ref: string): FoundContainer {
  const record = findContainer(ref);
  return {
    id: record.id,
    dir: containerDir(record.id),
    record: record as unknown as Record<string, unknown>,
  };
}
