/**
 * `nook search [--limit N] [--format json|TEMPLATE] [--no-trunc]
 * [-f stars=N|is-official=BOOL] TERM`.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { normalizeRegistry } from "../../lib/reference/mod.ts";
import { RegistryClient, type SearchResult } from "../../lib/registry/registry_client.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { REGISTRY_FLAGS, registryOptions } from "../registry_flags.ts";
import { table } from "../table.ts";

/** docker's column titles, by template field. */
const HEADERS: Record<string, string> = {
  Name: "NAME",
  Description: "DESCRIPTION",
  StarCount: "STARS",
  IsOfficial: "OFFICIAL",
  IsAutomated: "AUTOMATED",
};

const FLAGS: FlagSpec[] = [
  { name: "limit", type: "string", value: "N", help: "At most N results (default 25)" },
  {
    name: "format",
    type: "string",
    value: "string",
    help: "'json' (one object per line) or a Go template ('{{.Name}}')",
  },
  { name: "no-trunc", type: "bool", help: "Do not truncate descriptions" },
  {
    name: "filter",
    short: "f",
    type: "list",
    value: "filter",
    help: "stars=N, is-official=true|false",
  },
  ...REGISTRY_FLAGS,
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/** Docker's width of a truncated description. */
const DESCRIPTION_WIDTH = 45;

/**
 * Splits `host:port/term` into the registry and the term, as docker does
 * for `search` (the first part is a registry when it holds `.` or `:` or is
 * `localhost`); other terms search Docker Hub.
 */
function splitTerm(text: string): [string, string] {
  const slash = text.indexOf("/");
  if (slash > 0) {
    const first = text.slice(0, slash);
    if (/[.:]/.test(first) || first === "localhost") {
      return [normalizeRegistry(first), text.slice(slash + 1)];
    }
  }
  return ["docker.io", text];
}

/** The filters docker's search takes. */
function filterOf(specs: string[]): (r: SearchResult) => boolean {
  const tests = specs.map((spec) => {
    const eq = spec.indexOf("=");
    const key = eq < 0 ? spec : spec.slice(0, eq);
    const value = eq < 0 ? "" : spec.slice(eq + 1);
    if (key === "stars") {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new UsageError(`Invalid filter 'stars=${value}': expected a number`);
      }
      return (r: SearchResult) => r.stars >= n;
    }
    if (key === "is-official" || key === "is-automated") {
      if (value !== "true" && value !== "false") {
        throw new UsageError(`Invalid filter '${spec}': expected true or false`);
      }
      const want = value === "true";
      return (r: SearchResult) => (key === "is-official" ? r.official : r.automated) === want;
    }
    throw new UsageError(`Invalid filter '${key}': use stars, is-official or is-automated`);
  });
  return (r) => tests.every((t) => t(r));
}

/**
 * Runs `nook search`: Docker Hub's search, or with `HOST[:PORT]/TERM` the
 * repositories of that registry's catalog whose names contain TERM.
 *
 * @param args Arguments after "search".
 * @returns 0.
 * @throws {UsageError} Without exactly one term, or on a bad flag value.
 * @throws {RegistryError} When the registry cannot be searched.
 *
 * @example
 * ```ts ignore
 * await main(["--limit", "5", "127.0.0.1:5000/busybox"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "search", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook search [OPTIONS] TERM", "Search a registry for images.", FLAGS));
    return 0;
  }
  if (p.rest.length !== 1) {
    throw new UsageError("'nook search' takes exactly one term\nSee 'nook search --help'");
  }
  const limit = p.strings.limit === undefined ? 25 : Number(p.strings.limit);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) {
    throw new UsageError(`Invalid --limit '${p.strings.limit}': expected 1 to 100`);
  }
  const keep = filterOf(p.lists.filter);
  const [registry, term] = splitTerm(p.rest[0]);
  using client = new RegistryClient(registryOptions(p));
  // Filters apply after the registry's limit, as in docker.
  const results = (await client.search(registry, term, { limit })).filter(keep);
  const rows = results.map((r) => ({
    Name: registry === "docker.io" ? r.name : `${registry}/${r.name}`,
    Description: r.description,
    StarCount: r.stars,
    IsOfficial: r.official,
    IsAutomated: r.automated,
  }));
  const format = p.strings.format;
  if (format === "json") {
    sys.stdout(rows.map((r) => JSON.stringify(r) + "\n").join(""));
  } else if (format !== undefined && format !== "table") {
    const { formatRows } = await import("../format_rows.ts");
    sys.stdout(formatRows(format, rows, { headers: HEADERS }));
  } else {
    const trunc = (text: string) =>
      p.bools["no-trunc"] || text.length <= DESCRIPTION_WIDTH
        ? text
        : text.slice(0, DESCRIPTION_WIDTH - 1) + "…";
    sys.stdout(table(
      ["NAME", "DESCRIPTION", "STARS", "OFFICIAL"],
      rows.map((r) => [
        r.Name,
        trunc(r.Description.replaceAll("\n", " ")),
        String(r.StarCount),
        r.IsOfficial ? "[OK]" : "",
      ]),
    ));
  }
  return 0;
}
