/**
 * `nook stats [-a] [--no-stream] [--no-trunc] [--format table|json|TEMPLATE] [CONTAINER...]`:
 * docker's live table of CPU %, memory, network and block I/O and tasks,
 * redrawn every second (`--no-stream`: one table).
 *
 * @module
 */
import {
  type ContainerRecord,
  listRecords,
  readRecord,
} from "../../lib/records/container_record.ts";
import { containerStatus } from "../../lib/records/container_state.ts";
import { type ContainerStats, watchStats } from "../../lib/container/container_stats.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { bytesSize, humanSize, table } from "../table.ts";

const FLAGS: FlagSpec[] = [
  { name: "all", short: "a", type: "bool", help: "Show all containers (default: running ones)" },
  { name: "no-stream", type: "bool", help: "Print one table and exit" },
  { name: "no-trunc", type: "bool", help: "Do not shorten ids" },
  {
    name: "format",
    type: "string",
    value: "FORMAT",
    help: "table (default), json, or a template like '{{.Name}} {{.CPUPerc}}'",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/** docker's columns, by template field. */
const HEADERS: Record<string, string> = {
  Container: "CONTAINER",
  ID: "CONTAINER ID",
  Name: "NAME",
  CPUPerc: "CPU %",
  MemUsage: "MEM USAGE / LIMIT",
  MemPerc: "MEM %",
  NetIO: "NET I/O",
  BlockIO: "BLOCK I/O",
  PIDs: "PIDS",
}; // deno-fmt-ignore

const DEFAULT_FIELDS = ["ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs"];

const NONE = "--";

/** "A / B" of two sizes, or "--" when unknown. */
function pair(a: number | undefined, b: number | undefined, size: (n: number) => string): string {
  return a === undefined || b === undefined ? NONE : `${size(a)} / ${size(b)}`;
}

function percent(n: number | undefined): string {
  return n === undefined ? NONE : `${n.toFixed(2)}%`;
}

/**
 * One row of the table, with docker's field names and texts; what nook
 * cannot know (no cgroup of its own, a controller that is not enabled, a
 * container that does not run) reads "--".
 *
 * @param s The sample.
 * @param ref How the container was named on the command line (docker's `.Container`).
 * @param noTrunc Full ids.
 * @returns The fields.
 *
 * @example
 * ```ts
 * import { statsRow } from "./stats.ts";
 * const row = statsRow({
 *   id: "0123456789abcdef", name: "web", read: 0, running: true, cpuPercent: 12.5,
 *   memoryUsage: 1536, memoryLimit: 1048576, memoryPercent: 0.146, pids: 3,
 * }, "web", false);
 * console.assert(row.CPUPerc === "12.50%" && row.MemUsage === "1.5KiB / 1MiB");
 * console.assert(row.NetIO === "--" && row.PIDs === "3" && row.ID === "0123456789ab");
 * ```
 */
export function statsRow(s: ContainerStats, ref: string, noTrunc: boolean): Record<string, string> {
  return {
    Container: ref,
    ID: noTrunc ? s.id : s.id.slice(0, 12),
    Name: s.name,
    CPUPerc: percent(s.cpuPercent),
    MemUsage: s.memoryUsage === undefined
      ? `${NONE} / ${NONE}`
      : pair(s.memoryUsage, s.memoryLimit, bytesSize),
    MemPerc: percent(s.memoryPercent),
    NetIO: pair(s.netRx, s.netTx, (n) => humanSize(n, 3)),
    BlockIO: pair(s.blockRead, s.blockWrite, (n) => humanSize(n, 3)),
    PIDs: s.pids === undefined ? NONE : String(s.pids),
  };
}

/** docker's default table. */
const DEFAULT_TABLE = DEFAULT_FIELDS.map((f) => `{{.${f}}}`).join("\\t");

/**
 * Runs `nook stats`.
 *
 * @param args Arguments after "stats".
 * @returns 0 (streaming ends with Ctrl-C).
 *
 * @example
 * ```ts ignore
 * await main(["--no-stream", "web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "stats", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook stats [OPTIONS] [CONTAINER...]",
        "Show containers' resource use (CPU, memory, network and block I/O, tasks), live.",
        FLAGS,
      ),
    );
    return 0;
  }
  const format = p.strings.format ?? "table";
  // The template engine is loaded only for a --format.
  const formatRows = format === "table" ? null : (await import("../format_rows.ts")).formatRows;
  const render = (rows: Record<string, string>[]): string =>
    formatRows ? formatRows(format, rows, { headers: HEADERS, table: DEFAULT_TABLE }) : table(
      DEFAULT_FIELDS.map((f) => HEADERS[f]),
      rows.map((r) => DEFAULT_FIELDS.map((f) => r[f])),
    );
  // A bad template fails before the first reading.
  if (formatRows) render([]);
  // Named containers stay in the table (stopped ones read "--"); else the running ones, or all.
  const named = p.rest.map((ref) => ({ id: findContainer(ref).id, ref }));
  const refs = new Map(named.map(({ id, ref }) => [id, ref]));
  const containers = (): ContainerRecord[] =>
    named.length > 0
      ? named.map(({ id }) => readRecord(id)).filter((r): r is ContainerRecord => r !== null)
      : listRecords().filter((r) => p.bools.all || containerStatus(r.id).status === "running");
  const redraw = sys.isTerminal(1);
  for await (const batch of watchStats(containers)) {
    const rows = batch.map((s) =>
      statsRow(s, refs.get(s.id) ?? s.id.slice(0, 12), p.bools["no-trunc"] ?? false)
    );
    // Like docker: clear the screen and draw the table again in its place.
    sys.stdout(
      (redraw && !p.bools["no-stream"] ? "\x1b[2J\x1b[H" : "") + render(rows),
    );
    if (p.bools["no-stream"]) break;
  }
  return 0;
}
