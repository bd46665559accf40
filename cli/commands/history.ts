/**
 * `nook history IMAGE` (and `nook image history`): the image's history,
 * newest first, as docker prints it.
 *
 * @module
 */
import { UsageError } from "../../lib/errors/mod.ts";
import { imageHistory } from "../../lib/image/image_history.ts";
import { sys } from "../../lib/sys/mod.ts";
import { type FlagSpec, helpText, parseArgs } from "../args.ts";
import { formatRows } from "../format_rows.ts";
import { ago, humanSize } from "../table.ts";

const FLAGS: FlagSpec[] = [
  {
    name: "format",
    type: "string",
    value: "string",
    help:
      "'table', 'table TEMPLATE', 'json' or a Go template ({{.ID}} {{.CreatedBy}} {{.Size}} ...)",
  },
  {
    name: "human",
    short: "H",
    type: "bool",
    help: "Print sizes and dates in human readable format (default true)",
  },
  { name: "no-trunc", type: "bool", help: "Don't truncate output" },
  { name: "quiet", short: "q", type: "bool", help: "Only show image IDs" },
  { name: "help", type: "bool", help: "Print usage" },
]; // deno-fmt-ignore

/** docker's column titles, by template field. */
const HEADERS: Record<string, string> = {
  ID: "IMAGE",
  CreatedSince: "CREATED",
  CreatedAt: "CREATED AT",
  CreatedBy: "CREATED BY",
  Size: "SIZE",
  Comment: "COMMENT",
};

const TABLE = "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

/** RFC 3339 in local time, as Go's `time.Unix(s, 0).Format(time.RFC3339)`. */
function rfc3339(seconds: number): string {
  const offset = -new Date(seconds * 1000).getTimezoneOffset();
  const local = new Date((seconds + offset * 60) * 1000).toISOString().slice(0, 19);
  if (offset === 0) return `${local}Z`;
  const p = (n: number) => String(n).padStart(2, "0");
  const a = Math.abs(offset);
  return `${local}${offset < 0 ? "-" : "+"}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}

/**
 * Runs `nook history`.
 *
 * @param args The flags and the image.
 * @returns 0.
 * @throws {UsageError} Without exactly one image, or on a bad template.
 * @throws {NoSuchImageError} When there is no such image.
 *
 * @example
 * ```ts ignore
 * await main(["--no-trunc", "busybox"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  const p = parseArgs(args, FLAGS, { command: "history", stopAtPositional: false });
  if (p.bools.help) {
    sys.stdout(helpText("nook history [OPTIONS] IMAGE", "Show the history of an image.", FLAGS));
    return Promise.resolve(0);
  }
  if (p.rest.length !== 1) {
    throw new UsageError(
      `'nook history' needs exactly one image, got ${p.rest.length}\nSee 'nook history --help'`,
    );
  }
  const human = p.bools.human ?? true;
  const full = p.bools["no-trunc"] ?? false;
  const rows = imageHistory(p.rest[0]).map((h) => {
    const id = h.Id.startsWith("sha256:") && !full ? h.Id.slice(7, 19) : h.Id;
    const createdAt = rfc3339(h.Created);
    const by = h.CreatedBy.replaceAll("\t", " ");
    return {
      ID: id,
      CreatedSince: human ? ago(new Date(h.Created * 1000).toISOString()) : createdAt,
      CreatedAt: createdAt,
      CreatedBy: full || [...by].length <= 45 ? by : [...by].slice(0, 44).join("") + "…",
      Size: human ? humanSize(h.Size, 3) : String(h.Size),
      Comment: h.Comment,
    };
  });
  if (p.bools.quiet) {
    sys.stdout(rows.map((r) => r.ID + "\n").join(""));
    return Promise.resolve(0);
  }
  sys.stdout(formatRows(p.strings.format ?? "table", rows, { headers: HEADERS, table: TABLE }));
  return Promise.resolve(0);
}
