/**
 * `nook untag IMAGE [NAME...]` (podman's; also `nook image untag`): takes
 * names off an image without removing it; without names, all of them.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { untagImage } from "../../lib/image/untag_image.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [{ name: "help", type: "bool", help: "Print usage" }];

/**
 * Runs `nook untag`.
 *
 * @param args Arguments after "untag".
 * @returns 0 (an error is thrown: exit 125, as podman gives).
 * @throws {UsageError} Without an image.
 *
 * @example
 * ```ts ignore
 * await main(["busybox", "mine:1"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "untag", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook untag IMAGE [NAME...]",
        "Take names off an image (all of them when none is given); the image stays.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length === 0) {
    throw new UsageError("'nook untag' needs an image\nSee 'nook untag --help'");
  }
  await untagImage(p.rest[0], p.rest.slice(1));
  return 0;
}
