/**
 * How `inspect` and `image inspect` print: a JSON array, or each object
 * through a `--format` template.
 *
 * @module
 */
import { sys } from "../lib/sys/mod.ts";

/**
 * Prints inspected objects: JSON, or each through a template.
 *
 * @param items The objects.
 * @param format `--format` (none or `json`: JSON).
 *
 * @example
 * ```ts ignore
 * await printInspected([{ Id: "x" }], "{{.Id}}");
 * ```
 */
export async function printInspected(items: unknown[], format: string | undefined): Promise<void> {
  if (format === undefined || format === "json") {
    sys.stdout(JSON.stringify(items, null, 4) + "\n");
    return;
  }
  // The template engine is loaded only for a --format.
  const { compileFormat } = await import("./format_rows.ts");
  const render = compileFormat(format);
  sys.stdout(items.map((item) => render(item) + "\n").join(""));
}
