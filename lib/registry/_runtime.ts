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
 * (PEM). With no extra certificates it is the global `fetch`.
 */
export function verifyingTransport(caCerts: string[]): Transport {
  if (caCerts.length === 0) {
    return { fetch: (url, init) => fetch(url, init), close() {} };
  }
  if (sys.runtime !== "deno") {
    // Node's and Bun's fetch take no per-client CA; the node:https transport could (later).
    throw new Error(
      `Cannot use the registry's own CA certificates on ${sys.runtime} yet: run nook on Deno, ` +
        "or add the CA to the system's trust store (NODE_EXTRA_CA_CERTS for Node)",
    );
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
