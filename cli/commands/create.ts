/**
 * `nook create [OPTIONS] IMAGE [COMMAND] [ARG...]`: `run`'s flags; prints the id.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import { helpText } from "../args.ts";
import { RUN_FLAGS, runOptions } from "./run.ts";

/**
 * Runs `nook create`.
 *
 * @param args Arguments after "create".
 * @returns 0.
 *
 * @example
 * ```ts ignore
 * await main(["--name", "web", "busybox", "httpd", "-f"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const options = runOptions(args, "create");
  if (!options) {
    sys.stdout(
      helpText(
        "nook create [OPTIONS] IMAGE [COMMAND] [ARG...]",
        "Create a new container.",
        RUN_FLAGS,
      ),
    );
    return 0;
  }
  const runOnly = [
    ["--rmi", options.rmi],
    [
      "-a (--attach)",
      options.stdout !== undefined || options.stderr !== undefined || options.printId,
    ],
    ["--preserve-fds", options.preserveFds !== undefined],
    ["--timeout", options.timeout !== undefined],
  ] as const;
  for (const [flag, given] of runOnly) {
    if (given) {
      throw new UsageError(`${flag} applies to 'nook run': 'nook create' does not keep it`);
    }
  }
  const { createContainer } = await import("../../lib/container/create_container.ts");
  const record = await createContainer(options);
  sys.stdout(record.id + "\n");
  return 0;
}
