/**
 * The few Deno-only calls of the registry client, in one place (the Node and
 * Bun runs use sys where they can): the CPU architecture, a
 * `fetch` that trusts extra CA certificates, and an atomic rename.
 *
 * @module
 */
import { sys } from "../sys/sys.ts";

/** A `fetch` and what releases its connections. */
export interface Transport {
  /** Fetches like the global `fetch`. */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** Releases pooled connections. */
  close(): void;
}

/** The CPU architecture in Deno's words: `x86_64`, `aarch64`. */
export function runtimeArch(): string {
  return sys.arch;
}

/**
 * A transport that verifies TLS against the system's roots plus `caCerts`
 * (PEM). With no extra certificates it is the global `fetch`. On Node and
 * Bun, whose `fetch` takes no per-client CA, it is the `node:https`
 * transport with their bundled roots plus `caCerts`.
 */
export async function verifyingTransport(caCerts: string[]): Promise<Transport> {
  if (caCerts.length === 0) {
    return { fetch: (url, init) => fetch(url, init), close() {} };
  }
  if (!(globalThis as { NOOK_DENO_ONLY?: boolean }).NOOK_DENO_ONLY && sys.runtime !== "deno") {
    const { nodeTransport } = await import("./_insecure_transport.ts");
    return nodeTransport({ caCerts });
  }
  const client = Deno.createHttpClient({ caCerts });
  return {
    fetch: (url, init) => fetch(url, { ...init, client } as RequestInit),
    close: () => client.close(),
  };
}

/** Renames a file, replacing the target (atomic on one file system). */
export function renameFile(from: string, to: string): void {
  sys.rename(from, to);
}
