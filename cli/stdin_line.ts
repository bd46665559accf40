/**
 * Standard input read a byte or a line at a time, for prompts ("Are you
 * sure you want to continue? [y/N]", "Username: "). One reader is kept
 * across calls, so what one prompt read ahead is there for the next.
 *
 * @module
 */
import { sys } from "../lib/sys/mod.ts";

let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
let pending: Uint8Array = new Uint8Array(0);

/**
 * The next byte of standard input.
 *
 * @returns The byte, or null at the end of input.
 *
 * @example
 * ```ts ignore
 * const b = await nextStdinByte();
 * ```
 */
export async function nextStdinByte(): Promise<number | null> {
  while (pending.length === 0) {
    reader ??= sys.stdinStream().getReader();
    const { value, done } = await reader.read();
    if (done) return null;
    pending = value;
  }
  const b = pending[0];
  pending = pending.subarray(1);
  return b;
}

/**
 * One line of standard input.
 *
 * @returns The line without its newline; "" at the end of input.
 *
 * @example
 * ```ts ignore
 * if ((await readStdinLine()).trim() === "y") console.log("yes");
 * ```
 */
export async function readStdinLine(): Promise<string> {
  const bytes: number[] = [];
  for (let b = await nextStdinByte(); b !== null && b !== 0x0a; b = await nextStdinByte()) {
    bytes.push(b);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
