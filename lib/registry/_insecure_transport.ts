/**
 * A `fetch` that does not verify TLS certificates, for `--tls-verify=false`
 * (and, on Node and Bun, one that trusts a registry's own CA).
 *
 * Deno's own `fetch` cannot skip verification per request
 * (`Deno.createHttpClient` has no such option; only the process-wide
 * `--unsafely-ignore-certificate-errors` flag), but Deno's `node:https`
 * honours `rejectUnauthorized: false` (measured with Deno 2.9.6 against a
 * registry with a self-signed CA). So this module speaks HTTP through
 * `node:https`/`node:http` and returns Web `Response`s. It is imported
 * lazily: `node:` modules cost start-up time.
 *
 * @module
 */
import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import { Readable } from "node:stream";
import type { Transport } from "./_runtime.ts";

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A transport over `node:https` that accepts any server certificate. */
export function insecureTransport(): Transport {
  return nodeTransport({});
}

/**
 * A transport over `node:https`: verifying against the runtime's bundled roots
 * plus `caCerts` when given, else accepting any server certificate (Node's and
 * Bun's `fetch` take no per-client CA, so they use this for a registry's own CA).
 */
export function nodeTransport(options: { caCerts?: string[] }): Transport {
  const agent = new https.Agent(
    options.caCerts
      ? { keepAlive: true, ca: [...tls.rootCertificates, ...options.caCerts] }
      : { keepAlive: true, rejectUnauthorized: false },
  );
  const plainAgent = new http.Agent({ keepAlive: true });
  return {
    fetch: (url, init) => nodeFetch(url, init, url.startsWith("https:") ? agent : plainAgent),
    close() {
      agent.destroy();
      plainAgent.destroy();
    },
  };
}

function nodeFetch(url: string, init: RequestInit, agent: http.Agent): Promise<Response> {
  return new Promise((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => headers[key] = value);
    const method = init.method ?? "GET";
    const body = init.body;
    if (body instanceof Uint8Array) headers["content-length"] = String(body.byteLength);
    else if (typeof body === "string") {
      headers["content-length"] = String(new TextEncoder().encode(body).byteLength);
    }
    const mod = url.startsWith("https:") ? https : http;
    const req = mod.request(url, { method, headers, agent }, (res) => {
      const status = res.statusCode ?? 0;
      const out = new Headers();
      for (const [key, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) value.forEach((v) => out.append(key, v));
        else if (value !== undefined) out.set(key, String(value));
      }
      let stream: ReadableStream<Uint8Array> | null = null;
      if (method === "HEAD" || NULL_BODY.has(status)) res.resume();
      else stream = Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>;
      resolve(new Response(stream, { status, statusText: res.statusMessage, headers: out }));
    });
    const onAbort = () => req.destroy(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("close", () => signal?.removeEventListener("abort", onAbort));
    req.on("error", (err) => {
      if (signal?.aborted) reject(signal.reason);
      else reject(new TypeError("fetch failed", { cause: err }));
    });
    if (body === null || body === undefined) req.end();
    else if (typeof body === "string" || body instanceof Uint8Array) req.end(body);
    else if (body instanceof ReadableStream) {
      Readable.fromWeb(body as import("node:stream/web").ReadableStream).pipe(req);
    } else {
      req.destroy();
      reject(new TypeError(`Unsupported request body '${Object.prototype.toString.call(body)}'`));
    }
  });
}
