/**
 * What a failed `fetch` (Deno's or the `node:https` one) means.
 *
 * @module
 */

/** A network failure in words, and whether it is about TLS trust. */
export interface NetworkFailure {
  /** The certificate was not trusted: retrying will not help. */
  tls: boolean;
  /** Short reason: `tcp connect error: Connection refused (os error 111)`. */
  text: string;
}

const TLS_TRUST = new RegExp(
  [
    "invalid peer certificate",
    "certificate verify failed",
    "self[- ]signed certificate",
    "unable to verify",
    "unable to get (local )?issuer",
    "UnknownIssuer",
    "NotValidForName",
    "certificate has expired",
    "CERT_",
    "ERR_TLS_CERT",
  ].join("|"),
  "i",
);

const NODE_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

/**
 * Describes an error thrown by `fetch`, looking through its causes.
 *
 * @param err The thrown value.
 * @returns Whether it is a TLS trust failure and a short reason.
 */
export function describeNetworkError(err: unknown): NetworkFailure {
  const messages: string[] = [];
  let code: string | undefined;
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current; depth++) {
    if (current instanceof Error) {
      if (current.message) messages.push(current.message);
      code ??= (current as { code?: string }).code;
      current = current.cause;
    } else {
      messages.push(String(current));
      break;
    }
  }
  const all = messages.join(" | ") + (code ? ` ${code}` : "");
  const tls = TLS_TRUST.test(all);
  let text = messages.at(-1) ?? String(err);
  text = text.replace(/^error sending request for url \([^)]*\): /, "")
    .replace(/^client error \(\w+\): /, "");
  if (code && NODE_CODES[code]) text = NODE_CODES[code];
  return { tls, text };
}
