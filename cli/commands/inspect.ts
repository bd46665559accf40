/**
 * `nook inspect [--format TEMPLATE] [--type container|image] NAME...`:
 * docker's JSON for containers (images through `nook image inspect`).
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { inspectContainer } from "../../lib/container/inspect_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "format",
    short: "f",
    type: "string",
    value: "TEMPLATE",
    help: "Print fields, e.g. '{{.State.Status}}'",
  },
  { name: "type", type: "string", value: "TYPE", help: "container or image" },
  { name: "size", short: "s", type: "bool", help: "Accepted for docker compatibility" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook inspect`.
 *
 * @param args Arguments after "inspect".
 * @returns 0, or 125 when a name matched nothing.
 *
 * @example
 * ```ts ignore
 * await main(["web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "inspect", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook inspect [OPTIONS] NAME [NAME...]",
        "Show containers (or images) as JSON.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length === 0) throw new UsageError("'nook inspect' needs at least one name");
  if (p.strings.type === "image") {
    const image = await import("./image.ts");
    return await image.main(["inspect", ...p.rest]);
  }
  const out: unknown[] = [];
  let code = 0;
  for (const ref of p.rest) {
    try {
      out.push(inspectContainer(findContainer(ref)));
    } catch (err) {
      if (!(err instanceof NookError)) throw err;
      sys.stderr(`nook: ${err.message}\n`);
      code = err.exitCode;
    }
  }
  const format = p.strings.format;
  if (format && format !== "json") {
    // The template engine is loaded only for a --format.
    const { compileFormat } = await import("../format_rows.ts");
    const render = compileFormat(format);
    sys.stdout(out.map((o) => render(o) + "\n").join(""));
  } else sys.stdout(JSON.stringify(out, null, 4) + "\n");
  return code;
}
