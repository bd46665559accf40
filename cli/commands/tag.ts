/**
 * `nook tag SOURCE TARGET [TARGET...]` (also `nook image tag`).
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { tagImage } from "../../lib/image/tag_image.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook tag`: TARGET is normalized as docker does (`x` is
 * `docker.io/library/x:latest`).
 *
 * @param args Arguments after "tag".
 * @returns 0.
 * @throws {UsageError} Without exactly two arguments, or on an invalid TARGET.
 * @throws {NookError} When SOURCE is not in the store.
 *
 * @example
 * ```ts ignore
 * await main(["busybox", "127.0.0.1:5000/me/busybox:1"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "tag", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG] [TARGET_IMAGE[:TAG]...]",
        "Give an image another name (podman: several at once).",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length < 2) {
    throw new UsageError(
      "'nook tag' takes a SOURCE and at least one TARGET\nSee 'nook tag --help'",
    );
  }
  for (const target of p.rest.slice(1)) await tagImage(p.rest[0], target);
  return 0;
}
