/**
 * `nook rmi [-f] IMAGE...` (also `nook image rm`).
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { removeImage } from "../../lib/image/remove_image.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  { name: "force", short: "f", type: "bool", help: "Remove images that containers use" },
  { name: "no-prune", type: "bool", help: "Accepted for docker compatibility; no effect" },
  { name: "help", type: "bool", help: "Print usage" },
];

/**
 * Runs `nook rmi`: each image in turn; a failure is reported and the others
 * are still removed.
 *
 * @param args Arguments after "rmi".
 * @returns 0, or 125 when any image could not be removed.
 * @throws {UsageError} Without an image.
 *
 * @example
 * ```ts ignore
 * await main(["-f", "busybox"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "rmi", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook rmi [OPTIONS] IMAGE [IMAGE...]", "Remove images.", FLAGS));
    return 0;
  }
  if (p.rest.length === 0) {
    throw new UsageError("'nook rmi' needs at least one image\nSee 'nook rmi --help'");
  }
  let code = 0;
  for (const name of p.rest) {
    try {
      const { untagged, deleted, freed } = await removeImage(name, { force: p.bools.force });
      sys.stdout(
        untagged.map((n) => `Untagged: ${n}\n`).join("") +
          deleted.map((d) => `Deleted: ${d}\n`).join(""),
      );
      for (const w of freed.warnings) sys.stderr(`nook: ${w}\n`);
    } catch (err) {
      if (!(err instanceof NookError)) throw err; // a bug: let cli/main.ts show its stack
      sys.stderr(`nook: ${err.message}\n`);
      code = err.exitCode;
    }
  }
  return code;
}
