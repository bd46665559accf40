/**
 * `nook cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-` and
 * `nook cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "archive",
    short: "a",
    type: "bool",
    help: "Archive mode: copy into the container with the source's owners (uid/gid)",
  },
  {
    name: "follow-link",
    short: "L",
    type: "bool",
    help: "Always follow a symbolic link in SRC_PATH",
  },
  { name: "quiet", short: "q", type: "bool", help: "Print nothing (nook prints nothing anyway)" },
  { name: "help", type: "bool", help: "Print usage" },
];

const USAGE = "nook cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n" +
  "        nook cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH";

/** A cp argument: a local path, or a container and a path in it. */
interface CopyArg {
  container?: string;
  path: string;
}

/**
 * Splits a cp argument as docker does: a path that starts with `/` or `.`
 * is local, else `NAME:PATH` names a container.
 */
function splitArg(arg: string): CopyArg {
  if (arg.startsWith("/") || arg.startsWith(".")) return { path: arg };
  const colon = arg.indexOf(":");
  if (colon <= 0) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) || "/" };
}

/**
 * Runs `nook cp`: copies files or directories between a container and the
 * host; `-` is a tar stream on standard input or output.
 *
 * @param args Arguments after "cp".
 * @returns 0.
 * @throws {UsageError} Without exactly one container side, or on an unknown container.
 * @throws {NookError} When a path does not resolve or a file cannot be written.
 *
 * @example
 * ```ts ignore
 * await main(["f45a27:/etc/passwd", "./passwd"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "cp", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(USAGE, "Copy files/folders between a container and the local filesystem.", FLAGS),
    );
    return 0;
  }
  if (p.rest.length !== 2) {
    throw new UsageError(
      "'nook cp' takes exactly two arguments: SRC and DEST\nSee 'nook cp --help'",
    );
  }
  const [src, dest] = p.rest.map(splitArg);
  const warn = (m: string) => sys.stderr(`nook: ${m}\n`);
  const followLink = p.bools["follow-link"] === true;
  if (src.container !== undefined && dest.container !== undefined) {
    throw new UsageError("Copying between containers is not supported");
  }
  if (src.container !== undefined) {
    const { containerArchive, copyFromContainer } = await import(
      "../../lib/container/copy_from_container.ts"
    );
    if (dest.path === "-") {
      if (sys.isTerminal(1)) {
        throw new UsageError(
          "Cowardly refusing to write an archive to a terminal: redirect standard output",
        );
      }
      const tar = await containerArchive(src.container, src.path, { followLink, onWarning: warn });
      const out = sys.stdoutStream().getWriter();
      for await (const chunk of tar) await out.write(chunk);
      await out.close(); // fd 1 stays open
      return 0;
    }
    await copyFromContainer(src.container, src.path, dest.path, { followLink, onWarning: warn });
    return 0;
  }
  if (dest.container === undefined) {
    throw new UsageError("Must specify at least one container source (CONTAINER:PATH)");
  }
  const { copyToContainer } = await import("../../lib/container/copy_to_container.ts");
  if (src.path === "-" && sys.isTerminal(0)) {
    throw new UsageError("Cannot read an archive from standard input: it is a terminal");
  }
  await copyToContainer(
    src.path === "-" ? sys.stdinStream() : src.path,
    dest.container,
    dest.path,
    {
      archive: p.bools.archive === true,
      followLink,
      onWarning: warn,
    },
  );
  return 0;
}
