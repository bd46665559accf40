/**
 * `nook ps [-a] [-q] [--no-trunc] [--filter K=V]... [--format table|json|TEMPLATE]`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { type ContainerRecord, listRecords } from "../../lib/records/container_record.ts";
import { type ContainerStatus, containerStatus } from "../../lib/records/container_state.ts";
import { stateName, statusText } from "../../lib/container/inspect_container.ts";
import { readNetworkState } from "../../lib/records/network_state.ts";
import { formatPorts } from "../../lib/network/port_mapping.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { ago, table } from "../table.ts";
import { withHidden } from "../hidden_fields.ts";

const FLAGS: FlagSpec[] = [
  { name: "all", short: "a", type: "bool", help: "Show all containers (default: running ones)" },
  { name: "quiet", short: "q", type: "bool", help: "Only ids" },
  { name: "no-trunc", type: "bool", help: "Do not shorten ids and commands" },
  { name: "latest", short: "l", type: "bool", help: "Only the latest created container" },
  {
    name: "filter",
    short: "f",
    type: "list",
    value: "KEY=VALUE",
    help: "status=, name=, label=, ancestor=, id=",
  },
  {
    name: "format",
    type: "string",
    value: "FORMAT",
    help: "table (default), json, or a template like '{{.ID}} {{.Names}}'",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/** A row with docker's field names (for --format). */
type Row = Record<string, string>;

const HEADERS: Record<string, string> = {
  ID: "CONTAINER ID",
  Image: "IMAGE",
  Command: "COMMAND",
  CreatedAt: "CREATED AT",
  RunningFor: "CREATED",
  Status: "STATUS",
  Ports: "PORTS",
  Names: "NAMES",
  State: "STATE",
  Labels: "LABELS",
  Mounts: "MOUNTS",
  Size: "SIZE",
}; // deno-fmt-ignore

const DEFAULT_FIELDS = ["ID", "Image", "Command", "RunningFor", "Status", "Ports", "Names"];
const DEFAULT_TABLE = DEFAULT_FIELDS.map((f) => `{{.${f}}}`).join("\t");

function row(r: ContainerRecord, s: ContainerStatus, noTrunc: boolean): Row {
  const cmd = r.command.join(" ");
  const fields: Row = {
    ID: noTrunc ? r.id : r.id.slice(0, 12),
    Image: r.imageName,
    Command: `"${noTrunc || cmd.length <= 20 ? cmd : cmd.slice(0, 19) + "…"}"`,
    CreatedAt: r.created,
    RunningFor: ago(r.created),
    Status: statusText(s),
    State: stateName(s),
    // As docker: the ports of a running container only.
    Ports: s.status === "running" ? formatPorts(readNetworkState(r.id)?.ports ?? []) : "",
    Names: r.name,
    Labels: Object.entries(r.config.labels).map(([k, v]) => `${k}=${v}`).join(","),
    Mounts: r.config.mounts.map((m) => m.target).join(","),
    Size: "",
  };
  // docker's method `{{.Label "k"}}` and podman's names, which `json` leaves out.
  return withHidden(fields, {
    Label: (key: string) => r.config.labels[key] ?? "",
    Created: fields.CreatedAt,
    CreatedHuman: fields.RunningFor,
    ImageID: r.image,
  });
}

function matches(r: ContainerRecord, s: ContainerStatus, filters: string[]): boolean {
  const byKey = new Map<string, string[]>();
  for (const f of filters) {
    const at = f.indexOf("=");
    if (at < 1) throw new UsageError(`Invalid --filter '${f}': use KEY=VALUE`);
    const key = f.slice(0, at);
    if (!["status", "name", "label", "ancestor", "id"].includes(key)) {
      throw new UsageError(
        `Invalid --filter '${f}': nook filters on status, name, label, ancestor and id`,
      );
    }
    byKey.set(key, [...(byKey.get(key) ?? []), f.slice(at + 1)]);
  }
  const test: Record<string, (v: string) => boolean> = {
    status: (v) => stateName(s) === v,
    name: (v) => new RegExp(v).test(r.name),
    id: (v) => r.id.startsWith(v),
    label: (v) => {
      const at = v.indexOf("=");
      return at < 0 ? v in r.config.labels : r.config.labels[v.slice(0, at)] === v.slice(at + 1);
    },
    ancestor: (v) => {
      const bare = (n: string) =>
        n.replace(/^(docker\.io\/)?(library\/)?/, "").replace(/:latest$/, "");
      return bare(r.imageName) === bare(v) || r.image === v ||
        r.image.replace(/^sha256:/, "").startsWith(v.replace(/^sha256:/, ""));
    },
  };
  return [...byKey].every(([k, values]) => values.some(test[k]));
}

/**
 * Runs `nook ps`.
 *
 * @param args Arguments after "ps".
 * @returns 0.
 *
 * @example
 * ```ts ignore
 * await main(["-a"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "ps", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook ps [OPTIONS]", "List containers.", FLAGS));
    return 0;
  }
  if (p.rest.length) throw new UsageError(`'nook ps' takes no arguments, got '${p.rest[0]}'`);
  const { removeLeftovers } = await import("../../lib/container/remove_container.ts");
  await removeLeftovers();
  const filters = p.lists.filter ?? [];
  let rows = listRecords()
    .map((r) => ({ r, s: containerStatus(r.id) }))
    .filter(({ r, s }) =>
      (p.bools.all || p.bools.latest || filters.some((f) => f.startsWith("status=")) ||
        s.status === "running" || s.status === "restarting") && matches(r, s, filters)
    )
    .reverse(); // newest first, as docker lists them
  if (p.bools.latest) rows = rows.slice(0, 1);
  const data = rows.map(({ r, s }) => row(r, s, p.bools["no-trunc"] ?? false));
  if (p.bools.quiet) {
    sys.stdout(data.map((d) => d.ID + "\n").join(""));
    return 0;
  }
  const format = p.strings.format ?? "table";
  if (format !== "table") {
    // The template engine is loaded only for a --format.
    const { formatRows } = await import("../format_rows.ts");
    sys.stdout(formatRows(format, data, { headers: HEADERS, table: DEFAULT_TABLE }));
    return 0;
  }
  sys.stdout(
    table(DEFAULT_FIELDS.map((f) => HEADERS[f]), data.map((d) => DEFAULT_FIELDS.map((f) => d[f]))),
  );
  return 0;
}
