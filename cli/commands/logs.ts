/**
 * `nook logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER`: the
 * container's stdout to stdout and its stderr to stderr, as docker keeps them apart.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { findContainer } from "../../lib/container/find_container.ts";
import {
  checkLogsReadable,
  followLogs,
  type LogEntry,
  type LogOptions,
  parseLogTime,
  readLogs,
} from "../../lib/container/container_logs.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { sys } from "../../lib/sys/sys.ts";

const FLAGS: FlagSpec[] = [
  { name: "follow", short: "f", type: "bool", help: "Follow the output while the container runs" },
  {
    name: "tail",
    short: "n",
    type: "string",
    value: "N",
    help: "Only the last N lines (default all)",
  },
  {
    name: "since",
    type: "string",
    value: "TIME",
    help: "Only lines since a time (RFC 3339, unix seconds, or e.g. 10m)",
  },
  { name: "until", type: "string", value: "TIME", help: "Only lines before a time" },
  { name: "timestamps", short: "t", type: "bool", help: "Show the time of each line" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/**
 * Runs `nook logs`.
 *
 * @param args Arguments after "logs".
 * @returns 0.
 *
 * @example
 * ```ts ignore
 * await main(["--tail", "5", "web"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "logs", stopAtPositional: false });
  if (p.bools.help) {
    console.log(helpText("nook logs [OPTIONS] CONTAINER", "Show a container's output.", FLAGS));
    return 0;
  }
  if (p.rest.length !== 1) throw new UsageError("'nook logs' needs exactly one container");
  const record = findContainer(p.rest[0]);
  checkLogsReadable(record);
  const tail = p.strings.tail;
  if (tail !== undefined && tail !== "all" && !/^\d+$/.test(tail)) {
    throw new UsageError(`Invalid --tail '${tail}': give a number of lines or 'all'`);
  }
  const options: LogOptions = {
    tail: tail === undefined || tail === "all" ? undefined : Number(tail),
    since: p.strings.since === undefined ? undefined : parseLogTime(p.strings.since),
    until: p.strings.until === undefined ? undefined : parseLogTime(p.strings.until),
  };
  const stamps = p.bools.timestamps ?? false;
  const atLineStart = { stdout: true, stderr: true };
  const write = (e: LogEntry) => {
    const head = stamps && atLineStart[e.stream] ? `${e.time} ` : "";
    atLineStart[e.stream] = !e.partial;
    sys[e.stream](head + e.text + (e.partial ? "" : "\n"));
  };
  if (p.bools.follow) {
    for await (const e of followLogs(record.id, options)) write(e);
  } else {
    for (const e of readLogs(record.id, options)) write(e);
  }
  return 0;
}
