/**
 * Names as docker prints them.
 *
 * @module
 */
import { familiarName, parseReference } from "../reference/mod.ts";

/**
 * A stored full name or repository digest in docker's familiar form:
 * `docker.io/library/busybox:latest` is `busybox:latest`, names of other
 * registries stay whole.
 *
 * @param name A full name (`registry/repository:tag` or `registry/repository@digest`).
 * @returns The familiar name (the input itself when it does not parse).
 *
 * @example
 * ```ts
 * import { displayName } from "./display_name.ts";
 * console.assert(displayName("docker.io/library/busybox:latest") === "busybox:latest");
 * console.assert(displayName("127.0.0.1:5000/x/y:1") === "127.0.0.1:5000/x/y:1");
 * ```
 */
export function displayName(name: string): string {
  try {
    return familiarName(parseReference(name));
  } catch {
    return name;
  }
}
