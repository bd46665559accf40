/**
 * `nook container exists NAME` (podman's): exit 0 when a container has that
 * name, id or unique id prefix, 1 when none, 125 on an error; no output.
 *
 * @module
 */
import { findContainer, NoSuchContainerError } from "../../lib/container/find_container.ts";
import { existsMain } from "../exists_command.ts";

/**
 * Runs `nook container exists`.
 *
 * @param args Arguments after "exists".
 * @returns 0 or 1.
 *
 * @example
 * ```ts ignore
 * await main(["web"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  return Promise.resolve(existsMain(args, {
    kind: "container",
    flags: [{
      name: "external",
      type: "bool",
      help: "Accepted for podman compatibility: nook knows only its own containers",
    }],
    exists: (ref) => {
      try {
        findContainer(ref);
        return true;
      } catch (err) {
        if (err instanceof NoSuchContainerError) return false;
        throw err;
      }
    },
  }));
}
