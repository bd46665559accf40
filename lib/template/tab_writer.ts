/**
 * Go's text/tabwriter as docker's tables use it.
 *
 * @module
 */

/** Options of {@linkcode tabWriter} (Go's `tabwriter.NewWriter` parameters). */
export interface TabWriterOptions {
  /** The narrowest a column is, padding included (docker: 10). */
  minWidth?: number;
  /** Spaces added to the widest cell of a column (docker: 3). */
  padding?: number;
}

/**
 * Aligns tab-separated cells into columns as Go's tabwriter does with
 * docker's settings (`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`): a cell
 * ends at a tab; the text after a line's last tab is not a column cell and
 * is not padded; consecutive lines that have a column share its width.
 *
 * @param text Lines of cells separated by tabs.
 * @param options Minimum width and padding.
 * @returns The aligned text.
 *
 * @example
 * ```ts
 * import { tabWriter } from "./tab_writer.ts";
 * console.assert(tabWriter("NAMES\tSTATUS\nweb\tUp 2 seconds\n") ===
 *   "NAMES     STATUS\nweb       Up 2 seconds\n");
 * ```
 */
export function tabWriter(text: string, options: TabWriterOptions = {}): string {
  const minWidth = options.minWidth ?? 10;
  const padding = options.padding ?? 3;
  const lines = text.split("\n").map((l) => l.split("\t"));
  const width = (s: string) => [...s].length;
  // widths[i][c]: the width of column c for line i (a block of consecutive lines that have it).
  const widths: number[][] = lines.map(() => []);
  const columns = Math.max(0, ...lines.map((cells) => cells.length - 1));
  for (let c = 0; c < columns; c++) {
    let i = 0;
    while (i < lines.length) {
      if (lines[i].length - 1 <= c) {
        i++;
        continue;
      }
      let j = i;
      let w = 0;
      while (j < lines.length && lines[j].length - 1 > c) w = Math.max(w, width(lines[j++][c]));
      const col = Math.max(minWidth, w + padding);
      for (let k = i; k < j; k++) widths[k][c] = col;
      i = j;
    }
  }
  return lines.map((cells, i) =>
    cells.map((
      cell,
      c,
    ) => (c < cells.length - 1 ? cell + " ".repeat(widths[i][c] - width(cell)) : cell)).join("")
  ).join("\n");
}
