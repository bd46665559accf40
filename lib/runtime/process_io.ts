/**
 * The stdio of a started container process, on nook's side: output pipes
 * read as streams, and the relay between a pty master and nook's terminal.
 * Shared by `run` and `exec`.
 *
 * @module
 */
import { loadShim } from "../../shim/binding.ts";
import { HostError, NookError } from "../errors/mod.ts";
import { sys } from "../sys/mod.ts";
import type { OutputMode } from "./run_options.ts";

/**
 * A close-on-exec pipe for an output that is to be piped.
 *
 * @param mode The output's mode.
 * @returns [read end, write end] for "pipe", else null.
 * @throws {HostError} When the pipe cannot be made.
 *
 * @example
 * ```ts ignore
 * import { outputPipe } from "./process_io.ts";
 * const out = outputPipe("pipe"); // [r, w]: the child gets w, readStream(r) is its output
 * ```
 */
export function outputPipe(mode: OutputMode | undefined): [number, number] | null {
  if (mode !== "pipe") return null;
  const p = loadShim().pipe();
  if (typeof p === "number") throw new HostError(`Cannot create a pipe: errno ${-p}`);
  return p;
}

/**
 * The read end of a pipe as a stream; the fd is closed at its end or on cancel.
 *
 * @param fd A read end the stream takes over.
 * @returns The stream of what the container writes.
 *
 * @example
 * ```ts ignore
 * import { outputPipe, readStream } from "./process_io.ts";
 * const [r] = outputPipe("pipe")!;
 * for await (const chunk of readStream(r)) console.log(chunk.length);
 * ```
 */
export function readStream(fd: number): ReadableStream<Uint8Array> {
  const shim = loadShim();
  return new ReadableStream({
    async pull(controller) {
      const buf = new Uint8Array(65536);
      const n = await shim.read(fd, buf);
      if (n > 0) {
        controller.enqueue(buf.subarray(0, n));
        return;
      }
      shim.close(fd);
      if (n < 0) controller.error(new NookError(`Cannot read the container's output: errno ${-n}`));
      else controller.close();
    },
    cancel() {
      shim.close(fd);
    },
  });
}

/** Options of {@linkcode relayTerminal}. */
export interface RelayTerminalOptions {
  /** Copy nook's stdin to the pty (`-i`); a terminal stdin is put into raw mode meanwhile. */
  stdin: boolean;
  /** Where the pty's output goes (default 1, nook's stdout). */
  outFd?: number;
}

/** A running pty relay. */
export interface TerminalRelay {
  /** Resolves when the container side of the pty is closed by every process. */
  readonly done: Promise<unknown>;
  /** Closes the master, stops following the window size, restores the terminal mode. */
  stop(): void;
}

/**
 * Relays a container's pty: its output to `outFd`, nook's stdin to it when
 * asked, and nook's window size changes (SIGWINCH) when stdout is a terminal.
 *
 * @param pty The pty master the shim handed back; `stop()` closes it.
 * @param options Whether stdin goes in, and where the output goes.
 * @returns The relay.
 *
 * @example
 * ```ts ignore
 * import { relayTerminal } from "./process_io.ts";
 * const relay = relayTerminal(child.ptyFd, { stdin: true });
 * await child.status;
 * await relay.done;
 * relay.stop();
 * ```
 */
export function relayTerminal(pty: number, options: RelayTerminalOptions): TerminalRelay {
  const shim = loadShim();
  const undo: (() => void)[] = [() => shim.close(pty)];
  if (sys.isTerminal(1)) {
    undo.push(sys.onSignal("SIGWINCH", () => {
      const size = sys.terminalSize();
      if (size) shim.setWinsize(pty, size.rows, size.columns);
    }));
  }
  if (options.stdin && sys.isTerminal(0)) {
    sys.setRaw(true);
    undo.push(() => sys.setRaw(false));
  }
  const done = shim.ptyRelay(pty, options.stdin ? 0 : -1, options.outFd ?? 1);
  return {
    done,
    stop() {
      for (const fn of undo.splice(0).reverse()) fn();
    },
  };
}

/**
 * Reads a file descriptor to its end as UTF-8 text, then closes it (a
 * helper's stderr, for its error message).
 *
 * @param fd The read end.
 * @returns The text.
 *
 * @example
 * ```ts ignore
 * const message = await readFdText(errors[0]);
 * ```
 */
export async function readFdText(fd: number): Promise<string> {
  const shim = loadShim();
  const parts: string[] = [];
  const buf = new Uint8Array(4096);
  const dec = new TextDecoder();
  for (;;) {
    const n = await shim.read(fd, buf);
    if (n <= 0) break;
    parts.push(dec.decode(buf.subarray(0, n), { stream: true }));
  }
  shim.close(fd);
  return parts.join("") + dec.decode();
}
