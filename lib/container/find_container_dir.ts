/**
 * Finds a container's directory from what a user typed: its full id, a
 * unique prefix of it, or its name, looked up in
 * `<data>/containers/<id>/container.json`.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { storeLayout } from "../store/mod.ts";

/** A container found by {@linkcode findContainerDir}. */
export interface FoundContainer {
  /** Its full id. */
  id: string;
  /** Its directory. */
  dir: string;
  /** Its `container.json`. */
  record: Record<string, unknown>;
}

function readRecord(dir: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Deno.readTextFileSync(`${dir}/container.json`));
    return value && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null; // being created, or damaged
  }
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
export function findContainerDir(
  ref: string,
): { id: string; dir: string; record: Record<string, unknown> } {
  const root = `${storeLayout().root}/containers`;
  let ids: string[];
  try {
    ids = Array.from(Deno.readDirSync(root)).filter((e) => e.isDirectory).map((e) => e.name);
  } catch {
    ids = [];
  }
  const found = (id: string) => {
    const dir = `${root}/${id}`;
    const record = readRecord(dir);
    return record ? { id, dir, record } : null;
  };
  if (/^[0-9a-f]{64}$/.test(ref) && ids.includes(ref)) {
    const hit = found(ref);
    if (hit) return hit;
  }
  const named = ids.map(found).filter((c) => c !== null && c.record.name === ref);
  if (named.length === 1) return named[0]!;
  if (/^[0-9a-f]+$/.test(ref)) {
    const hits = ids.filter((id) => id.startsWith(ref)).map(found).filter((c) => c !== null);
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) {
      throw new UsageError(
        `Container id prefix '${ref}' is ambiguous: ${hits.length} containers match`,
      );
    }
  }
  throw new UsageError(`No such container: ${ref}`);
}
