/**
 * Docker's short display form of a reference.
 *
 * @module
 */
import { DEFAULT_REGISTRY, type Reference } from "./reference.ts";

/**
 * The reference as docker shows it (`FamiliarString`): without `docker.io/`,
 * and without `library/` for docker's official images.
 *
 * @param ref A parsed reference.
 * @returns `busybox:latest`, `user/repo:tag`, `127.0.0.1:5000/x:y`,
 *   `busybox@sha256:...`.
 *
 * @example
 * ```ts
 * import { familiarName } from "./familiar_name.ts";
 * import { parseReference } from "./parse_reference.ts";
 * console.assert(familiarName(parseReference("docker.io/library/busybox")) === "busybox:latest");
 * console.assert(familiarName(parseReference("localhost/a/b:1")) === "localhost/a/b:1");
 * ```
 */
export function familiarName(ref: Reference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DEFAULT_REGISTRY) {
    name = ref.repository;
    const official = name.startsWith("library/") ? name.slice("library/".length) : name;
    if (!official.includes("/")) name = official;
  }
  if (ref.tag !== undefined) name += `:${ref.tag}`;
  if (ref.digest !== undefined) name += `@${ref.digest}`;
  return name;
}
