/**
 * `nook export [-o FILE] CONTAINER`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { exportContainer } from "../../lib/container/export_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "output",
    short: "o",
    type: "string",
    value: "string",
    help: "Write to a file, instead of standard output",
  },
  { name: "help", type: "bool", help: "Print usage" },
];

/**
 * Runs `nook export`: the container's file system as a tar, to standard
 * output (never a terminal) or to FILE (written under a temporary name, then
 * renamed, so a failed export leaves no partial FILE).
 *
 * @param args Arguments after "export".
 * @returns 0.
 * @throws {UsageError} Without exactly one container, an unknown one, or a terminal as output.
 *
 * @example
 * ```ts ignore
 * await main(["-o", "rootfs.tar", "f45a27"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "export", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook export [OPTIONS] CONTAINER",
        "Export a container's filesystem as a tar archive.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length !== 1) {
    throw new UsageError("'nook export' takes exactly one container\nSee 'nook export --help'");
  }
  const output = p.strings.output;
  if ((output === undefined || output === "-") && sys.isTerminal(1)) {
    throw new UsageError(
      "Cowardly refusing to write an archive to a terminal: use -o FILE or redirect standard output",
    );
  }
  const tar = await exportContainer(p.rest[0], { onWarning: (m) => sys.stderr(`nook: ${m}\n`) });
  if (output === undefined || output === "-") {
    await ReadableStream.from(tar).pipeTo(sys.stdoutStream());
    return 0;
  }
  const partial = `${output}.part-${sys.pid()}`;
  let file: WritableStream<Uint8Array>;
  try {
    file = sys.writeStream(partial, { createNew: true, mode: 0o644 });
  } catch (err) {
    if ((err as { code?: string }).code !== "EEXIST") throw err;
    throw new UsageError(`Cannot write '${output}': '${partial}' is in the way; remove it`);
  }
  try {
    await ReadableStream.from(tar).pipeTo(file);
    sys.rename(partial, output);
  } catch (err) {
    try {
      sys.remove(partial);
    } catch {
      // best effort
    }
    throw err;
  }
  return 0;
}
