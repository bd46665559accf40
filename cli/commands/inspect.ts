/**
 * `nook inspect [--format TEMPLATE] [--type container|image|network] NAME...`:
 * each name as docker's JSON, looked up as docker does: a container, else an
 * image, else a network.
 *
 * @module
 */
import { NookError, UsageError } from "../../lib/errors/mod.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { inspectContainer } from "../../lib/container/inspect_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { EXIT_NO_SUCH_OBJECT, isNoSuchObject } from "../exit_code.ts";
import { withHidden } from "../hidden_fields.ts";
import { printInspected } from "../print_inspected.ts";

const TYPES = ["container", "image", "network"] as const;
type Kind = typeof TYPES[number];

const FLAGS: FlagSpec[] = [
  {
    name: "format",
    short: "f",
    type: "string",
    value: "TEMPLATE",
    help: "Print fields, e.g. '{{.State.Status}}'",
  },
  {
    name: "type",
    short: "t",
    type: "string",
    value: "TYPE",
    help: "container, image or network (default: the first that has the name)",
  },
  { name: "size", short: "s", type: "bool", help: "Accepted for docker compatibility" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/** A container as `inspect` shows it, with podman's `.ID` and `.ImageName` for templates. */
function containerItem(ref: string): unknown {
  const record = findContainer(ref);
  return withHidden(inspectContainer(record), { ID: record.id, ImageName: record.imageName });
}

/** The object `ref` names among `kinds`, in that order; null when none has it. */
async function lookup(ref: string, kinds: readonly Kind[]): Promise<unknown> {
  for (const kind of kinds) {
    try {
      if (kind === "container") return containerItem(ref);
      if (kind === "image") return (await import("./image.ts")).inspectImageItem(ref);
      const { inspectNetwork } = await import("../../lib/network/network_api.ts");
      return inspectNetwork(ref);
    } catch (err) {
      if (!isNoSuchObject(err)) throw err;
    }
  }
  return null;
}

/**
 * Runs `nook inspect`.
 *
 * @param args Arguments after "inspect".
 * @returns 0, or 1 when a name matched nothing (docker's code).
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
        "Show containers, images or networks as JSON.",
        FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length === 0) throw new UsageError("'nook inspect' needs at least one name");
  const type = p.strings.type;
  if (type !== undefined && !(TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`Invalid --type '${type}': use ${TYPES.join(", ")}`);
  }
  const kinds: readonly Kind[] = type ? [type as Kind] : TYPES;
  const out: unknown[] = [];
  let code = 0;
  for (const ref of p.rest) {
    try {
      const item = await lookup(ref, kinds);
      if (item !== null) {
        out.push(item);
        continue;
      }
      sys.stderr(`nook: No such ${type === undefined ? "object" : type}: ${ref}\n`);
      code = Math.max(code, EXIT_NO_SUCH_OBJECT);
    } catch (err) {
      if (!(err instanceof NookError)) throw err;
      sys.stderr(`nook: ${err.message}\n`);
      code = Math.max(code, err.exitCode);
    }
  }
  await printInspected(out, p.strings.format);
  return code;
}
