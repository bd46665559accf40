/**
 * `nook system check`, `nook system info` and `nook system df`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { main as info } from "./info.ts";

/**
 * Runs `nook system SUBCOMMAND`.
 *
 * @param args "check", "info" or "df", then their flags.
 * @returns The exit code.
 * @throws {UsageError} On an unknown subcommand.
 *
 * @example
 * ```ts ignore
 * import { main } from "./system.ts";
 * await main(["check"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "check") return info(["--check", ...rest]);
  if (sub === "info") return info(rest);
  if (sub === "df") return df(rest);
  if (sub === undefined || sub === "--help" || sub === "-h") {
    console.log(
      "Usage:  nook system check|info [--format json]\n        nook system df [--format json]\n",
    );
    return Promise.resolve(sub === undefined ? 125 : 0);
  }
  throw new UsageError(`unknown command 'system ${sub}'\nSee 'nook system --help'`);
}

const DF_FLAGS: FlagSpec[] = [
  { name: "format", type: "string", value: "table|json", help: "Output format" },
  { name: "help", type: "bool", help: "Print usage" },
];

async function df(args: string[]): Promise<number> {
  const p = parseArgs(args, DF_FLAGS, { command: "system df", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook system df [OPTIONS]", "Show disk usage.", DF_FLAGS));
    return 0;
  }
  const format = p.strings.format ?? "table";
  if (format !== "table" && format !== "json") {
    throw new UsageError(`Invalid --format '${format}': use table or json`);
  }
  if (p.rest.length > 0) throw new UsageError("'nook system df' takes no arguments");
  const [{ diskUsage }, { storeLayout }, { humanSize, table }] = await Promise.all([
    import("../../lib/image/disk_usage.ts"),
    import("../../lib/store/mod.ts"),
    import("../table.ts"),
  ]);
  const usage = diskUsage(storeLayout());
  const rows = ([["Images", usage.images], ["Containers", usage.containers], [
    "Local Volumes",
    usage.volumes,
  ]] as const).map(([type, row]) => ({
    Type: type,
    TotalCount: String(row.total),
    Active: String(row.active),
    Size: humanSize(row.size),
    Reclaimable: row.size > 0
      ? `${humanSize(row.reclaimable)} (${Math.floor(row.reclaimable * 100 / row.size)}%)`
      : humanSize(row.reclaimable),
  }));
  if (format === "json") {
    sys.stdout(rows.map((r) => JSON.stringify(r) + "\n").join(""));
  } else {
    sys.stdout(table(
      ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
      rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]),
    ));
  }
  return 0;
}
