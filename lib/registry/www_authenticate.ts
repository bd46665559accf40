/**
 * Parser of `WWW-Authenticate` headers (RFC 9110 section 11.6.1).
 *
 * @module
 */

/** One authentication challenge. */
export interface Challenge {
  /** The scheme in lowercase: `bearer`, `basic`. */
  scheme: string;
  /** Parameters by lowercase name: `realm`, `service`, `scope`, `error`. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const SPACE = /[ \t]*/y;

/**
 * Parses a `WWW-Authenticate` header into its challenges. Handles quoted
 * values with commas and escapes (`scope="repository:a:pull,push"`), several
 * challenges in one header (as `Headers.get()` joins them), and skips what it
 * cannot read instead of failing.
 *
 * @param header The header value.
 * @returns The challenges in order; empty for an empty or unreadable header.
 *
 * @example A registry's Bearer challenge
 * ```ts
 * import { parseWwwAuthenticate } from "./www_authenticate.ts";
 * const [c] = parseWwwAuthenticate(
 *   'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",' +
 *     'scope="repository:library/busybox:pull"',
 * );
 * console.assert(c.scheme === "bearer" && c.params.service === "registry.docker.io");
 * ```
 */
export function parseWwwAuthenticate(header: string | null | undefined): Challenge[] {
  const text = header ?? "";
  const challenges: Challenge[] = [];
  let pos = 0;
  const skip = (re: RegExp) => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m) pos += m[0].length;
    return m?.[0];
  };
  const skipSeparators = () => {
    while (pos < text.length && (text[pos] === "," || text[pos] === " " || text[pos] === "\t")) {
      pos++;
    }
  };
  /** Whether `name = value` follows (a parameter, not a new scheme nor a token68). */
  const paramFollows = () =>
    /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z"]/.test(text.slice(pos));

  while (pos < text.length) {
    skipSeparators();
    const scheme = skip(TOKEN);
    if (!scheme) {
      pos++; // unreadable character: skip it
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    skip(SPACE);
    if (!paramFollows()) {
      const t68 = skip(TOKEN68);
      if (t68) challenge.params.token68 = t68;
      continue;
    }
    while (pos < text.length && paramFollows()) {
      const name = skip(TOKEN)!.toLowerCase();
      skip(SPACE);
      pos++; // "="
      skip(SPACE);
      challenge.params[name] = text[pos] === '"' ? quoted() : skip(TOKEN) ?? "";
      skip(SPACE);
      if (text[pos] !== ",") break;
      skipSeparators();
    }
  }
  return challenges;

  function quoted(): string {
    let value = "";
    pos++; // opening quote
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === "\\" && pos + 1 < text.length) pos++;
      value += text[pos++];
    }
    pos++; // closing quote
    return value;
  }
}
