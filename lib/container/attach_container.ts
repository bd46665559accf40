/**
 * `attach`: connect this terminal (or these pipes) to a detached container
 * through its monitor's attach socket: output frames to stdout/stderr, stdin
 * and terminal size to the container, the exit code at the end.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import { sys, type SysConn } from "../sys/mod.ts";
import type { ContainerRecord } from "../records/container_record.ts";
import { containerStatus } from "../records/container_state.ts";
import { attachSocketPath } from "./launch_container.ts";
import { waitForExit } from "./signal_container.ts";
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from "../config/detach_keys.ts";

const STREAM_STDOUT = 1, STREAM_STDERR = 2, STREAM_EXIT = 3;
const FRAME_STDIN = 0, FRAME_STDIN_CLOSE = 1, FRAME_RESIZE = 2;

/** Options of {@linkcode attachContainer}. */
export interface AttachOptions {
  /** Send this process's stdin to the container. */
  stdin?: boolean;
  /** An already open connection (from a start that waited for it). */
  conn?: SysConn;
  /**
   * `--detach-keys`: the sequence on stdin that detaches (the container runs on);
   * default the container's `--detach-keys`, else ctrl-p,ctrl-q; "" for none.
   */
  detachKeys?: string;
}

/**
 * Watches stdin for the detach sequence: bytes that may start it are held
 * back until they do not (then they go to the container) or complete it.
 */
export class DetachScanner {
  readonly #keys: Uint8Array;
  #held = 0;

  /**
   * @param keys The sequence (empty: never detaches).
   */
  constructor(keys: Uint8Array) {
    this.#keys = keys;
  }

  /**
   * Scans a chunk of stdin.
   *
   * @param chunk The bytes read.
   * @returns What to send to the container, and whether the sequence is complete.
   *
   * @example
   * ```ts
   * import { DetachScanner } from "./attach_container.ts";
   * const d = new DetachScanner(new Uint8Array([16, 17]));
   * console.assert(d.scan(new Uint8Array([97, 16])).out.length === 1);
   * console.assert(d.scan(new Uint8Array([17])).detached);
   * ```
   */
  scan(chunk: Uint8Array): { out: Uint8Array; detached: boolean } {
    const keys = this.#keys;
    if (keys.length === 0) return { out: chunk, detached: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === keys[this.#held]) {
        if (++this.#held === keys.length) return { out: new Uint8Array(out), detached: true };
        continue;
      }
      // Not the sequence after all: what was held goes through, and this byte may start it anew.
      out.push(...keys.subarray(0, this.#held));
      this.#held = byte === keys[0] ? 1 : 0;
      if (this.#held === 0) out.push(byte);
    }
    return { out: new Uint8Array(out), detached: false };
  }
}

/**
 * A frame for the monitor.
 *
 * @param type FRAME_* number.
 * @param body The bytes.
 * @returns The frame.
 *
 * @example
 * ```ts
 * import { frame } from "./attach_container.ts";
 * console.assert(frame(0, new Uint8Array([7])).length === 6);
 * ```
 */
export function frame(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + body.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, body.length);
  out.set(body, 5);
  return out;
}

/**
 * Connects to a running container's attach socket.
 *
 * @param record The container.
 * @returns The connection.
 * @throws {UsageError} When it is not running under a monitor.
 *
 * @example
 * ```ts ignore
 * const conn = await connectAttach(record);
 * ```
 */
export async function connectAttach(record: ContainerRecord): Promise<SysConn> {
  try {
    return await sys.connectUnix(attachSocketPath(record.id));
  } catch {
    const s = containerStatus(record.id);
    throw new UsageError(
      s.status === "running"
        ? `Cannot attach to container ${record.name}: it was started in the foreground`
        : `Cannot attach to container ${record.name}: it is not running (status ${s.status})`,
    );
  }
}

async function writeAll(w: { write(p: Uint8Array): Promise<number> }, data: Uint8Array) {
  for (let at = 0; at < data.length;) at += await w.write(data.subarray(at));
}

/**
 * Attaches to a container until it exits (or the connection ends).
 *
 * @param record The container.
 * @param options Whether to send stdin; an open connection.
 * @returns The container's exit code.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await attachContainer(record, { stdin: true }));
 * ```
 */
export async function attachContainer(
  record: ContainerRecord,
  options: AttachOptions = {},
): Promise<number> {
  const keys = parseDetachKeys(
    options.detachKeys ?? record.config.detachKeys ?? DEFAULT_DETACH_KEYS,
  );
  const conn = options.conn ?? await connectAttach(record);
  const tty = record.config.tty ?? false;
  const cleanups: (() => void)[] = [];
  let detached = false;
  if (options.stdin) {
    if (tty && sys.isTerminal(0)) {
      sys.setRaw(true);
      cleanups.push(() => sys.setRaw(false));
    }
    const scanner = new DetachScanner(keys);
    (async () => {
      try {
        for await (const chunk of sys.stdinStream()) {
          const { out, detached: done } = scanner.scan(chunk);
          if (out.length) await writeAll(conn, frame(FRAME_STDIN, out));
          if (done) {
            // The container runs on; closing the connection ends the read loop below.
            detached = true;
            conn.close();
            return;
          }
        }
        await writeAll(conn, frame(FRAME_STDIN_CLOSE, new Uint8Array()));
      } catch {
        // the container is gone
      }
    })();
  }
  if (tty && sys.isTerminal(1)) {
    const resize = () => {
      const size = sys.terminalSize();
      if (!size) return;
      const body = new TextEncoder().encode(`${size.rows} ${size.columns}`);
      writeAll(conn, frame(FRAME_RESIZE, body)).catch(() => {});
    };
    resize();
    cleanups.push(sys.onSignal("SIGWINCH", resize));
  }
  let code: number | null = null;
  try {
    let pending = new Uint8Array(0);
    const buf = new Uint8Array(65536);
    while (code === null) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      const joined = new Uint8Array(pending.length + n);
      joined.set(pending);
      joined.set(buf.subarray(0, n), pending.length);
      let at = 0;
      while (joined.length - at >= 5) {
        const len = new DataView(joined.buffer, at + 1, 4).getUint32(0);
        if (joined.length - at - 5 < len) break;
        const body = joined.subarray(at + 5, at + 5 + len);
        const kind = joined[at];
        if (kind === STREAM_STDOUT) sys.stdout(body);
        else if (kind === STREAM_STDERR) sys.stderr(body);
        else if (kind === STREAM_EXIT) code = Number(new TextDecoder().decode(body));
        at += 5 + len;
      }
      pending = joined.slice(at);
    }
  } finally {
    for (const fn of cleanups.reverse()) fn();
    try {
      if (!detached) conn.close();
    } catch {
      // closed
    }
  }
  if (code !== null) return code;
  if (detached) return 0; // as docker and podman: detaching is no failure
  return (await waitForExit(record.id)).exitCode;
}
