/**
 * `nook save [-o FILE] [--format docker-archive|oci-archive] IMAGE...`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import type { ArchiveFormat } from "../../lib/image/save_archive.ts";
import { saveImages, saveImagesToFile } from "../../lib/image/image_api.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "output",
    short: "o",
    type: "string",
    value: "FILE",
    help: "Write to a file, instead of standard output",
  },
  {
    name: "format",
    type: "string",
    value: "FORMAT",
    help: "docker-archive (default) or oci-archive",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook save`: the archive goes to FILE (written beside it and renamed
 * when complete) or to standard output, never to a terminal.
 *
 * @param args Arguments after "save".
 * @returns 0 when the archive is written.
 * @throws {UsageError} Without an image, with a bad format, or with a terminal as output.
 *
 * @example
 * ```ts ignore
 * await main(["-o", "busybox.tar", "busybox"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "save", stopAtPositional: false });
  if (p.bools.help) {
    console.log(
      helpText(
        "nook save [OPTIONS] IMAGE [IMAGE...]",
        "Save one or more images to a tar archive (streamed to standard output by default).",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length === 0) {
    throw new UsageError("'nook save' needs at least one image\nSee 'nook save --help'");
  }
  const format = (p.strings.format ?? "docker-archive") as ArchiveFormat;
  const output = p.strings.output;
  if (output === undefined && sys.isTerminal(1)) {
    throw new UsageError(
      "Cowardly refusing to write an archive to a terminal: use -o FILE or redirect standard output",
    );
  }
  if (output === undefined || output === "-") {
    await (await saveImages(p.rest, { format })).pipeTo(sys.stdoutStream());
  } else {
    await saveImagesToFile(p.rest, output, { format });
  }
  return 0;
}
