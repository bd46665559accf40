/**
 * Pull progress on stderr: on a terminal one live line per layer (received,
 * total, rate), redrawn in place; otherwise one line per finished layer.
 *
 * @module
 */
import type { PullEvent } from "../lib/image/pull_image.ts";
import { sys } from "../lib/sys/sys.ts";

const write = (text: string) => sys.stderr(text);

function size(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)}kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)}MB`;
  return `${(n / 1024 ** 3).toFixed(2)}GB`;
}

/**
 * A progress callback for pulls.
 *
 * @param terminal Draw live lines (default: whether stderr is a terminal).
 * @returns The callback.
 *
 * @example
 * ```ts ignore
 * await pullImage("busybox", { onProgress: pullProgress() });
 * ```
 */
export function pullProgress(terminal = sys.isTerminal(2)): (event: PullEvent) => void {
  const rows = new Map<string, { text: string; start: number }>();
  let drawn = 0;
  let last = 0;
  const redraw = (force: boolean) => {
    const now = performance.now();
    if (!force && now - last < 100) return;
    last = now;
    if (drawn) write(`\x1b[${drawn}F`);
    for (const { text } of rows.values()) write(`\x1b[2K${text}\n`);
    drawn = rows.size;
  };
  return (e) => {
    if (e.kind === "resolved") {
      write(`Pulling ${e.reference} (${e.digest.slice(0, 19)}, ${e.layers} layers)\n`);
      return;
    }
    if (e.kind === "done") {
      if (terminal) redraw(true);
      write(`Image ${e.id.slice(7, 19)} ready\n`);
      return;
    }
    const id = e.digest.slice(7, 19);
    const row = rows.get(id) ?? { text: "", start: performance.now() };
    rows.set(id, row);
    if (e.state === "exists") row.text = `${id}: already there`;
    else if (e.state === "done") row.text = `${id}: done ${size(e.total)}`;
    else {
      const secs = (performance.now() - row.start) / 1000;
      const rate = secs > 0 ? `${size(e.received / secs)}/s` : "";
      row.text = `${id}: ${size(e.received)} / ${size(e.total)} ${rate}`;
    }
    if (terminal) redraw(e.state !== "downloading");
    else if (e.state !== "downloading") write(row.text + "\n");
  };
}
