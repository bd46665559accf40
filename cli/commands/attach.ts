/**
 * `nook attach [--no-stdin] CONTAINER`: its output here, this stdin to it
 * (when it was started with -i), its exit code at the end.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { attachContainer } from "../../lib/container/attach_container.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  { name: "no-stdin", type: "bool", help: "Do not attach stdin" },
  { name: "sig-proxy", type: "string", value: "BOOL", help: "Accepted for docker compatibility" },
  {
    name: "detach-keys",
    type: "string",
    value: "KEYS",
    help: "Keys that detach (default: the container's, else ctrl-p,ctrl-q)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook attach`.
 *
 * @param args Arguments after "attach".
 * @returns The container's exit code.
 *
 * @example
 * ```ts ignore
 * await main(["web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "attach", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook attach [OPTIONS] CONTAINER", "Attach to a running container.", FLAGS));
    return 0;
  }
  if (p.rest.length !== 1) throw new UsageError("'nook attach' needs exactly one container");
  const record = findContainer(p.rest[0]);
  return await attachContainer(record, {
    stdin: !p.bools["no-stdin"] && (record.config.interactive ?? false),
    detachKeys: p.strings["detach-keys"],
  });
}
