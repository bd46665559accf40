/**
 * `nook system check`, `info`, `df`, `events`, `prune` and `reset`.
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
  if (sub === "events") return import("./events.ts").then((m) => m.main(rest));
  if (sub === "prune") return prune(rest);
  if (sub === "reset") return reset(rest);
  if (sub === undefined || sub === "--help" || sub === "-h") {
    sys.stdout(USAGE);
    return Promise.resolve(sub === undefined ? 125 : 0);
  }
  throw new UsageError(`unknown command 'system ${sub}'\nSee 'nook system --help'`);
}

const USAGE = `Usage:  nook system COMMAND

Manage nook

Commands:
  check       Check that the host can run rootless containers
  df          Show disk usage
  events      Get real time events (same as 'nook events')
  info        Show facts about the host (same as 'nook info')
  prune       Remove unused data: stopped containers, unused networks, dangling images
  reset       Remove every container, image and network, and the store's state (podman's)

Run 'nook system COMMAND --help' for more information on a command.
`;

/** Asks on stdin; true for y or yes. */
async function confirmed(question: string): Promise<boolean> {
  sys.stdout(`${question}\nAre you sure you want to continue? [y/N] `);
  const { readStdinLine } = await import("../stdin_line.ts");
  return /^y(es)?$/i.test((await readStdinLine()).trim());
}

const PRUNE_FLAGS: FlagSpec[] = [
  {
    name: "all",
    short: "a",
    type: "bool",
    help: "Remove all unused images, not just dangling ones",
  },
  { name: "force", short: "f", type: "bool", help: "Do not prompt for confirmation" },
  {
    name: "volumes",
    type: "bool",
    help: "Prune anonymous volumes (nook keeps them in their containers)",
  },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

async function prune(args: string[]): Promise<number> {
  const p = parseArgs(args, PRUNE_FLAGS, { command: "system prune", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook system prune [OPTIONS]", "Remove unused data.", PRUNE_FLAGS));
    return 0;
  }
  if (p.rest.length > 0) throw new UsageError("'nook system prune' takes no arguments");
  const what = [
    "all stopped containers",
    "all networks not used by at least one container",
    ...(p.bools.volumes ? ["all anonymous volumes not used by at least one container"] : []),
    p.bools.all
      ? "all images without at least one container associated to them"
      : "all dangling images",
    "unused build cache",
  ];
  const warning = "WARNING! This will remove:\n" + what.map((w) => `  - ${w}\n`).join("");
  if (!p.bools.force && !await confirmed(warning)) return 0;
  const [{ pruneSystem }, { humanSize }] = await Promise.all([
    import("../../lib/system/prune_system.ts"),
    import("../table.ts"),
  ]);
  const r = await pruneSystem({ all: p.bools.all });
  let out = "";
  if (r.containers.length) out += `Deleted Containers:\n${r.containers.join("\n")}\n\n`;
  if (r.networks.length) out += `Deleted Networks:\n${r.networks.join("\n")}\n\n`;
  if (r.untagged.length || r.deleted.length) {
    out += "Deleted Images:\n" + r.untagged.map((n) => `untagged: ${n}\n`).join("") +
      r.deleted.map((d) => `deleted: ${d}\n`).join("") + "\n";
  }
  sys.stdout(out + `Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
  for (const w of r.warnings) sys.stderr(`nook: ${w}\n`);
  return 0;
}

const RESET_FLAGS: FlagSpec[] = [
  { name: "force", short: "f", type: "bool", help: "Do not prompt for confirmation" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

async function reset(args: string[]): Promise<number> {
  const p = parseArgs(args, RESET_FLAGS, { command: "system reset", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(
      helpText(
        "nook system reset [OPTIONS]",
        "Reset the store: remove every container, image and network, and the store's state.",
        RESET_FLAGS,
      ),
    );
    return 0;
  }
  if (p.rest.length > 0) throw new UsageError("'nook system reset' takes no arguments");
  const { dataDir } = await import("../../lib/paths/mod.ts");
  const warning = "WARNING! This will remove:\n" +
    ["all containers", "all images", "all networks", "all build cache", "all volumes"]
      .map((w) => `        - ${w}\n`).join("") +
    `        - the store's directory: "${dataDir()}"\n`;
  if (!p.bools.force && !await confirmed(warning)) return 0;
  const { resetStore } = await import("../../lib/system/reset_store.ts");
  await resetStore();
  return 0;
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
