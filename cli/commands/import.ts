/**
 * `nook import [OPTIONS] SOURCE [REPOSITORY[:TAG]]`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { importImage } from "../../lib/image/image_api.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { CHANGE_FLAG, changesFromArgs } from "../change_flag.ts";

const FLAGS: FlagSpec[] = [
  CHANGE_FLAG,
  {
    name: "message",
    short: "m",
    type: "string",
    value: "MSG",
    help: "Commit message of the image's history",
  },
  {
    name: "quiet",
    short: "q",
    type: "bool",
    help: "Print only the image id (the default output too)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook import`: SOURCE is a tarball (plain, gzip or zstd), `-` for
 * standard input, an http(s) URL, or a directory; prints the new image's id.
 *
 * @param args Arguments after "import".
 * @returns 0 when the image is in the store.
 * @throws {UsageError} Without a source, or with a bad name or change.
 *
 * @example
 * ```ts ignore
 * await main(["--change", "CMD [\"sh\"]", "rootfs.tar.gz", "me/rootfs:1"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "import", stopAtPositional: false });
  if (p.bools.help) {
    console.log(
      helpText(
        "nook import [OPTIONS] file|URL|DIR|- [REPOSITORY[:TAG]]",
        "Make an image from a root filesystem: a tarball or a directory.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length < 1 || p.rest.length > 2) {
    throw new UsageError("'nook import' takes a source and an optional name\nSee 'nook import --help'");
  }
  const [source, reference] = p.rest;
  if (source === "-" && sys.isTerminal(0)) {
    throw new UsageError("Cannot import from standard input: it is a terminal");
  }
  const image = await importImage(source === "-" ? sys.stdinStream() : source, {
    reference,
    changes: changesFromArgs(p),
    message: p.strings.message,
    sourceLabel: source,
    onWarning: (m) => sys.stderr(`nook: ${m}\n`),
  });
  console.log(image.id);
  return 0;
}
