/**
 * HTTP with registries, under the registry client: the scheme of each
 * registry, transports (TLS settings), credentials and tokens, retries,
 * redirects, and registry errors turned into {@linkcode RegistryError}s.
 *
 * @module
 */
import { registryApiHost } from "../reference/mod.ts";
import { RegistryError } from "./registry_error.ts";
import type { Credential, CredentialLookup } from "./credentials.ts";
import { type Challenge, parseWwwAuthenticate } from "./www_authenticate.ts";
import { backoffDelay, isTransientStatus, type RetryPolicy } from "./retry.ts";
import { type Transport, verifyingTransport } from "./_runtime.ts";
import { describeNetworkError } from "./_network_error.ts";
import { readLimited } from "./_read_limited.ts";
import { caCertsFor } from "./_ca_certs.ts";

/** A `fetch` the client can use instead of the runtime's (tests inject one). */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** Who is asking what: the context of one operation. */
export interface Op {
  /** The registry, `host[:port]`. */
  registry: string;
  /** Repository, for credentials with namespaces. */
  repository?: string;
  /** `pull`, `push`, `list the tags of`, ...: "Cannot <action> '<target>'". */
  action: string;
  /** What messages name: `busybox:latest`, `127.0.0.1:5000`. */
  target: string;
  /** Token scopes: `repository:library/busybox:pull`. */
  scopes: string[];
  /** Cancels the operation. */
  signal?: AbortSignal;
}

/** Settings of {@linkcode RegistryHttp}, defaults filled in by the client. */
export interface RegistryHttpOptions {
  tlsVerify: boolean;
  certDir?: string;
  /** Normalised names. */
  insecureRegistries: string[];
  credentials: CredentialLookup;
  userAgent: string;
  fetch?: FetchFunction;
  retry: RetryPolicy;
}

interface CachedAuth {
  header: string;
  expires: number;
}

/** Largest token or error document read. */
const SMALL_LIMIT = 1 << 20;
const MAX_REDIRECTS = 10;
/** How long a token lives when the server does not say (docker's minimum). */
const DEFAULT_TOKEN_SECONDS = 60;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Authenticated, retried HTTP exchanges with registries (one per client). */
export class RegistryHttp {
  /** The `User-Agent` header. */
  readonly userAgent: string;
  #tlsVerify: boolean;
  #certDir?: string;
  #insecure: Set<string>;
  #credentials: CredentialLookup;
  #fetch?: FetchFunction;
  #retry: RetryPolicy;
  #transports = new Map<string, Promise<Transport>>();
  #bases = new Map<string, Promise<string>>();
  #auth = new Map<string, CachedAuth>();
  #basic = new Set<string>();
  #credentialCache = new Map<string, Promise<Credential | undefined>>();
  #pendingAuth = new Map<string, Promise<boolean>>();
  #closed = false;

  /** Keeps the settings; nothing is sent yet. */
  constructor(options: RegistryHttpOptions) {
    this.userAgent = options.userAgent;
    this.#tlsVerify = options.tlsVerify;
    this.#certDir = options.certDir;
    this.#insecure = new Set(options.insecureRegistries);
    this.#credentials = options.credentials;
    this.#fetch = options.fetch;
    this.#retry = options.retry;
  }

  /** Releases every transport. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports.values()) {
      transport.then((t) => t.close(), () => {});
    }
    this.#transports.clear();
  }

  /** Reads a JSON object body (up to 16 MiB). */
  async json(op: Op, res: Response): Promise<Record<string, unknown>> {
    const bytes = await this.read(op, res, SMALL_LIMIT * 16);
    try {
      const doc = JSON.parse(new TextDecoder().decode(bytes));
      if (typeof doc === "object" && doc !== null) return doc;
    } catch {
      // Reported below.
    }
    throw this.error(op, "the registry's answer is not JSON", `HTTP_${res.status}`);
  }

  /** Reads a small body whole; `undefined` when larger than `limit`. */
  async read(op: Op, res: Response, limit: number): Promise<Uint8Array | undefined> {
    try {
      return await readLimited(res.body, limit);
    } catch (err) {
      if (op.signal?.aborted) throw op.signal.reason;
      throw new RegistryError(
        `Cannot ${op.action} '${op.target}': the connection broke while reading ` +
          `'${res.url || "the answer"}': ${describeNetworkError(err).text}`,
        { code: "NETWORK", registry: op.registry, cause: err },
      );
    }
  }

  // --- Errors ---------------------------------------------------------------

  /** "Cannot <action> '<target>': <reason>" as a {@linkcode RegistryError}. */
  error(op: Op, reason: string, code: string, status?: number): RegistryError {
    return new RegistryError(`Cannot ${op.action} '${op.target}': ${reason}`, {
      code,
      status,
      registry: op.registry,
    });
  }

  /** Turns an error answer into a {@linkcode RegistryError}. */
  async fail(op: Op, res: Response): Promise<never> {
    const status = res.status;
    let code: string | undefined;
    let message: string | undefined;
    const bytes = await readLimited(res.body, SMALL_LIMIT).catch(() => undefined);
    try {
      const first = JSON.parse(new TextDecoder().decode(bytes)).errors?.[0];
      if (typeof first?.code === "string") code = first.code;
      if (typeof first?.message === "string" && first.message !== "") message = first.message;
    } catch {
      // Not a distribution error document.
    }
    code ??= ({ 401: "UNAUTHORIZED", 403: "DENIED", 429: "TOOMANYREQUESTS" } as Record<
      number,
      string
    >)[status] ?? `HTTP_${status}`;
    let reason = message ? lowerFirst(message) : `HTTP ${status} ${res.statusText}`.trim();
    if (status === 401 || code === "UNAUTHORIZED") {
      const challenge = parseWwwAuthenticate(res.headers.get("www-authenticate"))[0];
      const credential = await this.#credential(op).catch(() => undefined);
      if (op.action === "log in to") reason = "wrong user name or password";
      else if (credential) {
        reason = `access denied with the credentials stored for '${op.registry}' ` +
          "(wrong password, or no access to this repository)";
      } else if (challenge?.params.error === "insufficient_scope") {
        reason = "access denied: the repository does not exist or needs " +
          `'nook login ${op.registry}'`;
      } else reason = `authentication required: run 'nook login ${op.registry}'`;
    } else if (status === 403 && !message) {
      reason = "access denied";
    } else if (status === 429) {
      const after = res.headers.get("retry-after");
      reason = `too many requests${message ? ` (${message})` : ""}` +
        (after ? `; try again in ${after} s` : "; try again later");
    } else if (status === 404 && !message) {
      reason = "not found";
    }
    throw this.error(op, reason, code, status);
  }

  // --- HTTP: scheme, transport, auth, retries, redirects ----------------------

  /** `https://host` or `http://host` for a registry, decided once. */
  base(op: Op): Promise<string> {
    let base = this.#bases.get(op.registry);
    if (!base) {
      base = this.#probe(op);
      this.#bases.set(op.registry, base);
      base.catch(() => this.#bases.delete(op.registry));
    }
    return base;
  }

  async #probe(op: Op): Promise<string> {
    const host = registryApiHost(op.registry);
    if (!this.#mayUseHttp(op.registry)) return `https://${host}`;
    const transport = await this.transport(op.registry);
    try {
      const res = await transport.fetch(`https://${host}/v2/`, {
        method: "GET",
        headers: { "user-agent": this.userAgent },
        redirect: "manual",
        signal: op.signal,
      });
      await res.body?.cancel();
      return `https://${host}`;
    } catch (err) {
      if (op.signal?.aborted) throw op.signal.reason;
      const failure = describeNetworkError(err);
      if (failure.tls) throw this.#tlsError(op, failure.text, err);
      return `http://${host}`; // Not TLS (or not up yet: requests will say so).
    }
  }

  #mayUseHttp(registry: string): boolean {
    if (this.#insecure.has(registry)) return true;
    const host = registry.startsWith("[")
      ? registry.slice(1, registry.indexOf("]"))
      : registry.replace(/:\d+$/, "");
    return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
  }

  /** The transport for a registry ("" for foreign layer URLs). */
  transport(registry: string): Promise<Transport> {
    if (this.#closed) throw new Error("Cannot use a closed RegistryClient");
    let transport = this.#transports.get(registry);
    if (!transport) {
      transport = this.#makeTransport(registry);
      this.#transports.set(registry, transport);
    }
    return transport;
  }

  async #makeTransport(registry: string): Promise<Transport> {
    if (this.#fetch) return { fetch: this.#fetch, close() {} };
    if (!this.#tlsVerify || this.#insecure.has(registry)) {
      const { insecureTransport } = await import("./_insecure_transport.ts");
      return insecureTransport();
    }
    return await verifyingTransport(registry ? caCertsFor(registry, this.#certDir) : []);
  }

  #tlsError(op: Op, text: string, cause: unknown): RegistryError {
    const error = new RegistryError(
      `Cannot ${op.action} '${op.target}': the TLS certificate of '${op.registry}' is not ` +
        `trusted (${text}); give its CA with --cert-dir, or use --tls-verify=false`,
      { code: "TLS", registry: op.registry, cause },
    );
    return error;
  }

  #credential(op: Op): Promise<Credential | undefined> {
    const key = `${op.registry}/${op.repository ?? ""}`;
    let found = this.#credentialCache.get(key);
    if (!found) {
      found = Promise.resolve(this.#credentials(op.registry, op.repository));
      this.#credentialCache.set(key, found);
    }
    return found;
  }

  #authKey(op: Op): string {
    return `${op.registry} ${op.scopes.join(" ")}`;
  }

  async #authorization(op: Op): Promise<string | undefined> {
    const cached = this.#auth.get(this.#authKey(op));
    if (cached && cached.expires > Date.now()) return cached.header;
    if (this.#basic.has(op.registry)) {
      const credential = await this.#credential(op);
      if (credential) return basicHeader(credential);
    }
    return undefined;
  }

  /** Answers a 401 challenge; true when there is a new authorization to try. */
  async #authenticate(op: Op, challenges: Challenge[]): Promise<boolean> {
    const credential = await this.#credential(op);
    const bearer = challenges.find((c) => c.scheme === "bearer" && c.params.realm);
    if (bearer) {
      const { token, seconds } = await this.#fetchToken(op, bearer, credential);
      this.#auth.set(this.#authKey(op), {
        header: `Bearer ${token}`,
        // Refresh a little early, as docker does.
        expires: Date.now() + Math.max(seconds - 10, 5) * 1000,
      });
      return true;
    }
    if (challenges.some((c) => c.scheme === "basic") && credential) {
      this.#basic.add(op.registry);
      return true;
    }
    return false;
  }

  async #fetchToken(
    op: Op,
    challenge: Challenge,
    credential: Credential | undefined,
  ): Promise<{ token: string; seconds: number }> {
    let url: URL;
    try {
      url = new URL(challenge.params.realm);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error();
    } catch {
      throw this.error(
        op,
        `the registry's token realm '${challenge.params.realm}' is not an http(s) URL`,
        "UNAUTHORIZED",
      );
    }
    if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
    const scopes = op.scopes.length > 0
      ? op.scopes
      : challenge.params.scope
      ? [challenge.params.scope]
      : [];
    for (const scope of scopes) url.searchParams.append("scope", scope);
    const headers: Record<string, string> = { "user-agent": this.userAgent };
    if (credential) {
      url.searchParams.set("account", credential.username);
      headers.authorization = basicHeader(credential);
    }
    const transport = await this.transport(op.registry);
    const res = await this.exchange(
      op,
      transport,
      url.href,
      { method: "GET", headers },
      true,
      url.origin,
    );
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw this.error(
        op,
        credential
          ? op.action === "log in to"
            ? "wrong user name or password"
            : `the token server refused the credentials stored for '${op.registry}' ` +
              `(wrong user name or password? run 'nook login ${op.registry}')`
          : `authentication required: run 'nook login ${op.registry}'`,
        "UNAUTHORIZED",
        res.status,
      );
    }
    if (!res.ok) return this.fail(op, res);
    const doc = await this.json(op, res);
    const token = typeof doc.token === "string" && doc.token
      ? doc.token
      : typeof doc.access_token === "string" && doc.access_token
      ? doc.access_token
      : undefined;
    if (!token) throw this.error(op, "the token server sent no token", "UNAUTHORIZED");
    const seconds = typeof doc.expires_in === "number" && doc.expires_in > 0
      ? doc.expires_in
      : DEFAULT_TOKEN_SECONDS;
    return { token, seconds };
  }

  /**
   * A request to the registry with auth: sends the cached authorization,
   * answers one 401 challenge (a new token, or Basic) and tries again.
   * `replayable` is false for stream bodies, which are sent once.
   */
  async send(op: Op, url: string, init: RequestInit, replayable = true): Promise<Response> {
    const transport = await this.transport(op.registry);
    const origin = new URL(url).origin;
    let challenged = false;
    while (true) {
      const headers = new Headers(init.headers);
      headers.set("user-agent", this.userAgent);
      const authorization = await this.#authorization(op);
      if (authorization) headers.set("authorization", authorization);
      const res = await this.exchange(
        op,
        transport,
        url,
        { ...init, headers },
        replayable,
        origin,
      );
      if (res.status !== 401 || challenged || !replayable) return res;
      challenged = true;
      const key = this.#authKey(op);
      const cachedNow = this.#auth.get(key)?.header;
      if (authorization?.startsWith("Bearer ") && cachedNow && cachedNow !== authorization) {
        // Another request renewed the token meanwhile: use that one.
        await res.body?.cancel();
        continue;
      }
      this.#auth.delete(key);
      // Requests that fail together share one token request.
      let pending = this.#pendingAuth.get(key);
      if (!pending) {
        const challenges = parseWwwAuthenticate(res.headers.get("www-authenticate"));
        pending = this.#authenticate(op, challenges).finally(() => this.#pendingAuth.delete(key));
        this.#pendingAuth.set(key, pending);
      }
      if (!await pending) return res;
      await res.body?.cancel();
    }
  }

  /**
   * One exchange with retries of transient failures and redirects of GET and
   * HEAD; the `authorization` header only goes to `origin`.
   */
  async exchange(
    op: Op,
    transport: Transport,
    url: string,
    init: RequestInit,
    replayable = true,
    origin?: string,
  ): Promise<Response> {
    let current = url;
    let retry = 0;
    let redirects = 0;
    const headers = new Headers(init.headers);
    while (true) {
      let res: Response;
      try {
        res = await transport.fetch(current, {
          ...init,
          headers,
          redirect: "manual",
          signal: op.signal,
        });
      } catch (err) {
        if (op.signal?.aborted) throw op.signal.reason;
        const failure = describeNetworkError(err);
        if (failure.tls) throw this.#tlsError(op, failure.text, err);
        if (replayable && retry + 1 < this.#retry.attempts) {
          retry++;
          await this.#retry.sleep(backoffDelay(retry, this.#retry)!, op.signal);
          continue;
        }
        const host = new URL(current).host;
        throw new RegistryError(
          `Cannot ${op.action} '${op.target}': cannot reach '${host}': ${failure.text}`,
          { code: "NETWORK", registry: op.registry, cause: err },
        );
      }
      const method = init.method ?? "GET";
      const location = res.headers.get("location");
      if (REDIRECTS.has(res.status) && location && (method === "GET" || method === "HEAD")) {
        await res.body?.cancel();
        if (++redirects > MAX_REDIRECTS) {
          throw this.error(op, `more than ${MAX_REDIRECTS} redirects from '${url}'`, "HTTP_310");
        }
        current = new URL(location, current).href;
        if (origin === undefined || new URL(current).origin !== origin) {
          headers.delete("authorization");
        }
        continue;
      }
      if (isTransientStatus(res.status) && replayable && retry + 1 < this.#retry.attempts) {
        const delay = backoffDelay(retry + 1, this.#retry, res.headers.get("retry-after"));
        if (delay !== undefined) {
          await res.body?.cancel();
          retry++;
          await this.#retry.sleep(delay, op.signal);
          continue;
        }
      }
      return res;
    }
  }
}

function basicHeader(credential: Credential): string {
  const bytes = new TextEncoder().encode(`${credential.username}:${credential.password}`);
  return `Basic ${btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""))}`;
}

export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
