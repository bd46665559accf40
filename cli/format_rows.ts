/**
 * `--format` of the list commands (`ps`, `images`, `stats`, `search`,
 * `network ls`) and of `inspect`, as docker handles it: `json`, `table`,
 * `table TEMPLATE` (headers from the fields, columns aligned by docker's
 * tabwriter) or a Go template, one line per row. Loaded only by commands
 * given a `--format`.
 *
 * @module
 */
import { UsageError } from "../lib/errors/mod.ts";
import { parseTemplate, tabWriter, type TemplateFunc } from "../lib/template/mod.ts";
import { TemplateError } from "../lib/template/template_error.ts";

/** Options of {@linkcode formatRows}. */
export interface FormatRowsOptions {
  /** Column titles by field (docker's: `ID` is `CONTAINER ID` in `ps`, `IMAGE ID` in `images`). */
  headers: Record<string, string>;
  /** The template of a bare `table` (such as `{{.ID}}\t{{.Names}}`). */
  table?: string;
  /** A table without its header row (podman's `--noheading`). */
  noHeading?: boolean;
}

/** Options of {@linkcode compileFormat}. */
export interface CompileFormatOptions {
  /** Functions replacing the usual ones (the header row's). */
  funcs?: Record<string, TemplateFunc>;
  /** The `--format` value the message names (default: the template). */
  name?: string;
}

/**
 * A function of the template that the CLI reports as `Invalid --format
 * 'TEMPLATE': template: 1:2: ...` (exit 125).
 *
 * @param format The template, with `\t` and `\n` written as two characters turned into tab and newline, as docker does.
 * @param options The whole `--format` value, and functions replacing the usual ones.
 * @returns A function of the data that returns the text.
 * @throws {UsageError} When the template does not parse, naming it and the position.
 *
 * @example
 * ```ts
 * import { compileFormat } from "./format_rows.ts";
 * console.assert(compileFormat("{{.A}}\\t{{.B}}")({ A: 1, B: 2 }) === "1\t2");
 * ```
 */
export function compileFormat(
  format: string,
  options: CompileFormatOptions = {},
): (data: unknown) => string {
  const { funcs, name = format } = options;
  const text = format.replaceAll("\\t", "\t").replaceAll("\\n", "\n");
  const reported = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof TemplateError) {
        throw new UsageError(`Invalid --format '${name}': ${e.message}`);
      }
      throw e;
    }
  };
  const t = reported(() => parseTemplate(text, { funcs }));
  return (data) => reported(() => t.execute(data));
}

/** In the header row docker's functions leave the title as it is (docker's `HeaderFunctions`). */
const same = (min: number): TemplateFunc => ({ min, max: min, fn: ([v]) => v });
const HEADER_FUNCS: Record<string, TemplateFunc> = {
  json: same(1),
  join: same(2),
  split: same(2),
  lower: same(1),
  upper: same(1),
  title: same(1),
  truncate: same(2),
  pad: same(3),
}; // deno-fmt-ignore

/**
 * The text of `rows` in `format`: `json` (one JSON object a line), `table`
 * (`options.table`), `table TEMPLATE` (a header row, then a row each,
 * aligned as docker aligns them) or a template (a line each).
 *
 * @param format The `--format` value.
 * @param rows Objects with docker's field names (non-enumerable ones are
 * aliases and methods that `json` leaves out, such as `.Label "k"`).
 * @param options The column titles and the default table.
 * @returns The text.
 * @throws {UsageError} On a template that does not parse or run, naming it and the position.
 *
 * @example
 * ```ts
 * import { formatRows } from "./format_rows.ts";
 * const rows = [{ ID: "0123", Names: "web", Status: "Up 2 seconds" }];
 * const headers = { ID: "CONTAINER ID", Names: "NAMES", Status: "STATUS" };
 * console.assert(formatRows("{{.Names}} {{.ID}}", rows, { headers }) === "web 0123\n");
 * console.assert(formatRows("table {{.Names}}\\t{{.Status}}", rows, { headers }) ===
 *   "NAMES     STATUS\nweb       Up 2 seconds\n");
 * console.assert(formatRows("json", rows, { headers }) === JSON.stringify(rows[0]) + "\n");
 * ```
 */
export function formatRows(format: string, rows: object[], options: FormatRowsOptions): string {
  if (format === "json") return rows.map((r) => JSON.stringify(r) + "\n").join("");
  if (!format.startsWith("table")) {
    const render = compileFormat(format.trim(), { name: format });
    return rows.map((r) => render(r) + "\n").join("");
  }
  let body = format.slice("table".length).trim();
  if (body === "") {
    if (options.table === undefined) {
      throw new UsageError(`Invalid --format '${format}': expected 'table TEMPLATE'`);
    }
    body = options.table;
  }
  const render = compileFormat(body, { name: format });
  const header = compileFormat(body, { name: format, funcs: HEADER_FUNCS })(
    headerRow(rows[0], options.headers),
  );
  const lines = rows.map((r) => render(r) + "\n").join("");
  return tabWriter(options.noHeading ? lines : header + "\n" + lines);
}

/** The header row: every field's title (methods return it too). */
function headerRow(
  row: object | undefined,
  headers: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names = new Set([...Object.keys(headers), ...(row ? Object.getOwnPropertyNames(row) : [])]);
  for (const name of names) {
    const title = headers[name] ?? name.replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
    const value = row ? (row as Record<string, unknown>)[name] : undefined;
    out[name] = typeof value === "function" ? () => title : title;
  }
  return out;
}
