/**
 * `nook load [-i FILE|DIR] [-q]`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { loadImages } from "../../lib/image/image_api.ts";
import { familiarName, parseReference } from "../../lib/reference/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "input",
    short: "i",
    type: "string",
    value: "FILE",
    help: "Read from a tar archive or an OCI layout directory, instead of standard input",
  },
  { name: "quiet", short: "q", type: "bool", help: "Print no progress" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook load`: reads a docker-archive, an oci-archive (maybe gzip'ed)
 * or an OCI layout directory, and prints `Loaded image: NAME` for each name
 * (`Loaded image ID: ID` for an image without one).
 *
 * @param args Arguments after "load".
 * @returns 0 when the images are in the store.
 * @throws {UsageError} On extra arguments, or without input on a terminal.
 *
 * @example
 * ```ts ignore
 * await main(["-i", "busybox.tar"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "load", stopAtPositional: false });
  if (p.bools.help) {
    console.log(
      helpText("nook load [OPTIONS]", "Load images from a tar archive or an OCI layout.", FLAGS),
    );
    return 0;
  }
  if (p.rest.length > 0) {
    throw new UsageError("'nook load' takes no arguments: use -i FILE\nSee 'nook load --help'");
  }
  const input = p.strings.input;
  if ((input === undefined || input === "-") && sys.isTerminal(0)) {
    throw new UsageError(
      "Requested a load from standard input, but it is a terminal: use -i FILE or redirect it",
    );
  }
  const images = await loadImages(
    input === undefined || input === "-" ? sys.stdinStream() : input,
    {
      onProgress: p.bools.quiet ? undefined : (m) => sys.stderr(`${m}\n`),
      onWarning: (m) => sys.stderr(`nook: ${m}\n`),
    },
  );
  for (const image of images) {
    if (image.names.length === 0) console.log(`Loaded image ID: ${image.id}`);
    for (const name of image.names) {
      console.log(`Loaded image: ${familiarName(parseReference(name))}`);
    }
  }
  return 0;
}
