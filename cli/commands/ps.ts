/**
 * `nook ps [-a] [-q] [-n N] [-l] [-s] [--no-trunc] [--filter K=V]... [--format table|json|TEMPLATE]`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import {
  containerDir,
  type ContainerRecord,
  listRecords,
} from "../../lib/records/container_record.ts";
import { treeSize } from "../../lib/store/tree_size.ts";
import { type ContainerStatus, containerStatus } from "../../lib/records/container_state.ts";
import { stateName, statusText } from "../../lib/container/inspect_container.ts";
import { readNetworkState } from "../../lib/records/network_state.ts";
import { formatPorts } from "../../lib/network/port_mapping.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { ago, humanSize, table } from "../table.ts";
import { withHidden } from "../hidden_fields.ts";
import { containerFilter } from "../container_filter.ts";

/** podman's `ps --sort` keys. */
const SORT_KEYS = ["created", "id", "image", "names", "runningfor", "size", "status"];

const FLAGS: FlagSpec[] = [
  { name: "all", short: "a", type: "bool", help: "Show all containers (default: running ones)" },
  { name: "quiet", short: "q", type: "bool", help: "Only ids" },
  { name: "no-trunc", type: "bool", help: "Do not shorten ids and commands" },
  { name: "latest", short: "l", type: "bool", help: "Only the latest created container" },
  {
    name: "last",
    short: "n",
    type: "string",
    value: "N",
    help: "Only the N latest created containers (in any state)",
  },
  {
    name: "size",
    short: "s",
    type: "bool",
    help: "Show sizes: the container's files (virtual: with its image's)",
  },
  {
    name: "external",
    type: "bool",
    help: "Accepted for podman compatibility: nook lists only its own containers",
  },
  {
    name: "filter",
    short: "f",
    type: "list",
    value: "KEY=VALUE",
    help: "status=, name=, label=, ancestor=, id=, exited=CODE, before=CONTAINER, since=CONTAINER",
  },
  {
    name: "format",
    type: "string",
    value: "FORMAT",
    help: "table (default), json, or a template like '{{.ID}} {{.Names}}'",
  },
  { name: "noheading", type: "bool", help: "No header line (podman)" },
  {
    name: "sort",
    type: "string",
    value: "KEY",
    help: `Order by ${SORT_KEYS.join(", ")} (podman; default: newest first)`,
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

/**
 * podman's `ps --sort KEY` order: oldest first for `created` and `runningfor`,
 * largest first for `size`, else by the text (the id, image, name, status).
 */
function sortRows(
  rows: { r: ContainerRecord; s: ContainerStatus }[],
  key: string,
  sizes?: Map<string, number>,
): { r: ContainerRecord; s: ContainerStatus }[] {
  const text: Record<string, (x: { r: ContainerRecord; s: ContainerStatus }) => string> = {
    created: ({ r }) => r.created,
    runningfor: ({ r }) => r.created,
    id: ({ r }) => r.id,
    image: ({ r }) => r.imageName,
    names: ({ r }) => r.name,
    status: ({ s }) => statusText(s),
  };
  if (key === "size") return [...rows].sort((a, b) => sizes!.get(b.r.id)! - sizes!.get(a.r.id)!);
  const of = text[key];
  return [...rows].sort((a, b) => of(a) < of(b) ? -1 : of(a) > of(b) ? 1 : 0);
}

/** `--size`: what the container's directory holds, and with its image's (docker's SIZE). */
function sizeText(r: ContainerRecord, imageSizes: Map<string, number>): string {
  const own = treeSize(containerDir(r.id));
  return `${humanSize(own)} (virtual ${humanSize(own + (imageSizes.get(r.image) ?? 0))})`;
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
  const last = p.strings.last;
  if (last !== undefined && !/^-?\d+$/.test(last)) {
    throw new UsageError(`Invalid --last '${last}': give a whole number of containers`);
  }
  // docker: -n N (N > 0) and -l list containers in any state; -n -1 is "no limit".
  const limit = p.bools.latest ? 1 : last !== undefined && Number(last) > 0 ? Number(last) : 0;
  const matches = containerFilter(filters);
  let rows = listRecords()
    .map((r) => ({ r, s: containerStatus(r.id) }))
    .filter(({ r, s }) =>
      (p.bools.all || limit > 0 || filters.some((f) => f.startsWith("status=")) ||
        s.status === "running" || s.status === "restarting") && matches(r, s)
    )
    .reverse(); // newest first, as docker lists them
  if (limit > 0) rows = rows.slice(0, limit);
  const sort = p.strings.sort;
  if (sort !== undefined && !SORT_KEYS.includes(sort)) {
    throw new UsageError(`Invalid --sort '${sort}': use ${SORT_KEYS.join(", ")}`);
  }
  let sizes: Map<string, number> | undefined;
  if (sort === "size") sizes = new Map(rows.map(({ r }) => [r.id, treeSize(containerDir(r.id))]));
  if (sort !== undefined) rows = sortRows(rows, sort, sizes);
  const data = rows.map(({ r, s }) => row(r, s, p.bools["no-trunc"] ?? false));
  if (p.bools.size) {
    const { listImages } = await import("../../lib/image/image_api.ts");
    const imageSizes = new Map(listImages().map((i) => [i.id, i.size]));
    rows.forEach(({ r }, i) => data[i].Size = sizeText(r, imageSizes));
  }
  if (p.bools.quiet) {
    sys.stdout(data.map((d) => d.ID + "\n").join(""));
    return 0;
  }
  const format = p.strings.format ?? "table";
  if (format !== "table") {
    // The template engine is loaded only for a --format.
    const { formatRows } = await import("../format_rows.ts");
    const options = { headers: HEADERS, table: DEFAULT_TABLE, noHeading: p.bools.noheading };
    sys.stdout(formatRows(format, data, options));
    return 0;
  }
  const fields = DEFAULT_FIELDS.concat(p.bools.size ? ["Size"] : []);
  const text = table(fields.map((f) => HEADERS[f]), data.map((d) => fields.map((f) => d[f])));
  sys.stdout(p.bools.noheading ? text.replace(/^.*\n/, "") : text);
  return 0;
}
