/**
 * The few Deno-only calls of the registry client, in one place (the Node and
 * Bun backends of issue 7 replace this file): the CPU architecture, a
 * `fetch` that trusts extra CA certificates, and an atomic rename.
 *
 * @module
 */

/** A `fetch` and what releases its connections. */
export interface Transport {
  /** Fetches like the global `fetch`. */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** Releases pooled connections. */
  close(): void;
}

/** The CPU architecture in Deno's words: `x86_64`, `aarch64`. */
export function runtimeArch(): string {
  return Deno.build.arch;
}

/**
 * A transport that verifies TLS against the system's roots plus `caCerts`
 * (PEM). With no extra certificates it is the global `fetch`.
 */
export function verifyingTransport(caCerts: string[]): Transport {
  if (caCerts.length === 0) {
    return { fetch: (url, init) => fetch(url, init), close() {} };
  }
  const client = Deno.createHttpClient({ caCerts });
  return {
    fetch: (url, init) => fetch(url, { ...init, client } as RequestInit),
    close: () => client.close(),
  };
}

/** Renames a file, replacing the target (atomic on one file system). */
export function renameFile(from: string, to: string): void {
  Deno.renameSync(from, to);
}
