/**
 * `nook rmi [-f] [-i] IMAGE...` or `nook rmi -a [-f]` (also `nook image rm`).
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { NoSuchImageError } from "../../lib/image/no_such_image.ts";
import { removeImage } from "../../lib/image/remove_image.ts";
import { readIndex, storeLayout } from "../../lib/store/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { verbExitCode } from "../exit_code.ts";

const FLAGS: FlagSpec[] = [
  { name: "all", short: "a", type: "bool", help: "Remove every image (podman)" },
  { name: "force", short: "f", type: "bool", help: "Remove images that containers use" },
  { name: "ignore", short: "i", type: "bool", help: "A missing image is no error (podman)" },
  { name: "no-prune", type: "bool", help: "Accepted for docker compatibility; no effect" },
  { name: "help", type: "bool", help: "Print usage" },
];

/**
 * Runs `nook rmi`: each image in turn; a failure is reported and the others
 * are still removed.
 *
 * @param args Arguments after "rmi".
 * @returns 0, or 1 (a name matched nothing), 2 (a container uses it) or 125.
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
  if (p.bools.all && p.rest.length > 0) {
    throw new UsageError("'nook rmi --all' takes no image names: give either");
  }
  if (p.rest.length === 0 && !p.bools.all) {
    throw new UsageError("'nook rmi' needs at least one image\nSee 'nook rmi --help'");
  }
  // --all: each image by its names (all of them untagged), an untagged one by its id.
  const names = p.bools.all
    ? readIndex(storeLayout()).images.flatMap((i) => i.names.length ? i.names : [i.id])
    : p.rest;
  let code = 0;
  for (const name of names) {
    try {
      const { untagged, deleted, freed } = await removeImage(name, { force: p.bools.force });
      sys.stdout(
        untagged.map((n) => `Untagged: ${n}\n`).join("") +
          deleted.map((d) => `Deleted: ${d}\n`).join(""),
      );
      for (const w of freed.warnings) sys.stderr(`nook: ${w}\n`);
    } catch (err) {
      if (!(err instanceof NookError)) throw err; // a bug: let cli/main.ts show its stack
      // Gone meanwhile (another name of an image removed before): --all and --ignore pass it
      // over, and --force (podman's).
      const skip = p.bools.all || p.bools.ignore || p.bools.force;
      if (err instanceof NoSuchImageError && skip) continue;
      sys.stderr(`nook: ${err.message}\n`);
      code = Math.max(code, verbExitCode(err));
    }
  }
  return code;
}
