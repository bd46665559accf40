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
 * Fills `{{.A.B}}` and `{{json .A}}` from an object.
 *
 * @param template The template.
 * @param data The object.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { fillPath } from "./inspect.ts";
 * console.assert(fillPath("{{.State.Pid}}", { State: { Pid: 7 } }) === "7");
 * ```
 */
export function fillPath(template: string, data: unknown): string {
  return template.replace(/\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g, (_, json?: string, path?: string) => {
    let v: unknown = data;
    for (const k of (path ?? "").split(".").filter(Boolean)) {
      v = (v as Record<string, unknown> | undefined)?.[k];
    }
    if (json) return JSON.stringify(v);
    if (v === undefined || v === null) return "<no value>";
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  });
}

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
  if (format) sys.stdout(out.map((o) => fillPath(format, o) + "\n").join(""));
  else sys.stdout(JSON.stringify(out, null, 4) + "\n");
  return code;
}
