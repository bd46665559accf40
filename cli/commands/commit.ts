/**
 * `nook commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { commitContainer } from "../../lib/container/commit_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { CHANGE_FLAG, changesFromArgs } from "../change_flag.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "author",
    short: "a",
    type: "string",
    value: "string",
    help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")',
  },
  CHANGE_FLAG,
  { name: "message", short: "m", type: "string", value: "string", help: "Commit message" },
  {
    name: "pause",
    short: "p",
    type: "bool",
    help: "Accepted for docker's sake: a running container is committed without pausing it",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook commit`: prints the new image's id (`sha256:...`).
 *
 * @param args Arguments after "commit".
 * @returns 0 when the image is in the store.
 * @throws {UsageError} Without a container, an unknown one, or a bad name or change.
 *
 * @example
 * ```ts ignore
 * await main(["-c", "CMD [\"sh\"]", "f45a27", "me/app:1"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "commit", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
        "Create a new image from a container's changes.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length < 1 || p.rest.length > 2) {
    throw new UsageError(
      "'nook commit' takes a container and an optional name\nSee 'nook commit --help'",
    );
  }
  const image = await commitContainer(p.rest[0], {
    reference: p.rest[1],
    author: p.strings.author,
    message: p.strings.message,
    changes: changesFromArgs(p),
    onWarning: (m) => sys.stderr(`nook: ${m}\n`),
  });
  sys.stdout(`${image.id}\n`);
  return 0;
}
