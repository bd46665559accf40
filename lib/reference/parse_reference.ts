/**
 * Parsing of image references the way docker resolves them.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import {
  DOMAIN_RE,
  IDENTIFIER_RE,
  REFERENCE_RE,
  REPOSITORY_MAX_LENGTH,
  REPOSITORY_RE,
  SHA256_DIGEST_RE,
  TAG_RE,
} from "./_grammar.ts";
import { DEFAULT_REGISTRY, DEFAULT_TAG, type Reference } from "./reference.ts";

/** Docker's old name for its registry, folded into {@linkcode DEFAULT_REGISTRY}. */
const LEGACY_DEFAULT_REGISTRY = "index.docker.io";
/** Prefix of docker's official images. */
const OFFICIAL_PREFIX = "library/";

/**
 * Parses an image reference as docker does (`ParseNormalizedNamed` of the
 * distribution project) and fills in what docker fills in:
 *
 * - no registry: `docker.io` (`index.docker.io` also means `docker.io`); a
 *   first component is a registry only when it holds a `.` or a `:`, is
 *   `localhost`, or holds an uppercase letter;
 * - a one-component name on docker.io: `library/` in front;
 * - no tag and no digest: tag `latest`.
 *
 * Repository components are lowercase letters and digits joined by `.`, `_`,
 * `__` or dashes; a tag is up to 128 word characters, dots and dashes, not
 * starting with a dot or dash; the digest must be `sha256:` and 64 lowercase
 * hex digits (other algorithms are refused).
 *
 * @param text What the user typed: `busybox`, `user/repo:tag`,
 *   `127.0.0.1:5000/x/y@sha256:...`.
 * @returns The reference in full form.
 * @throws {UsageError} When the text is not a valid reference; the message
 *   quotes it and says what is wrong.
 *
 * @example Short names get docker's defaults
 * ```ts
 * import { parseReference } from "./parse_reference.ts";
 * const ref = parseReference("busybox");
 * console.assert(ref.registry === "docker.io");
 * console.assert(ref.repository === "library/busybox");
 * console.assert(ref.tag === "latest" && ref.digest === undefined);
 * ```
 *
 * @example A local registry with a port
 * ```ts
 * import { parseReference } from "./parse_reference.ts";
 * const ref = parseReference("127.0.0.1:5000/team/app:v1");
 * console.assert(ref.registry === "127.0.0.1:5000" && ref.repository === "team/app");
 * ```
 */
export function parseReference(text: string): Reference {
  const fail = (why: string): never => {
    throw new UsageError(`Invalid reference '${text}': ${why}`);
  };
  if (typeof text !== "string" || text === "") return fail("the name is empty");
  if (IDENTIFIER_RE.test(text)) {
    return fail("a repository name cannot be 64 hex digits (that is an image id)");
  }

  const [registry, rest] = splitRegistry(text);
  const nameEnd = rest.search(/[:@]/);
  const path = nameEnd === -1 ? rest : rest.slice(0, nameEnd);
  if (path.toLowerCase() !== path) fail(`repository name '${path}' must be lowercase`);

  const match = REFERENCE_RE.exec(`${registry}/${rest}`);
  if (!match) return fail(explain(registry, rest));
  const [, name, tag, digest] = match;
  const repository = name.slice(registry.length + 1);
  if (repository.length > REPOSITORY_MAX_LENGTH) {
    fail(`repository name is longer than ${REPOSITORY_MAX_LENGTH} characters`);
  }
  if (digest !== undefined && !SHA256_DIGEST_RE.test(digest)) {
    const algorithm = digest.slice(0, digest.indexOf(":"));
    fail(
      algorithm === "sha256"
        ? `digest '${digest}' must be 'sha256:' and 64 lowercase hex digits`
        : `unsupported digest algorithm '${algorithm}', expected sha256`,
    );
  }
  const ref: Reference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = DEFAULT_TAG;
  return ref;
}

/** Docker's `splitDockerDomain`: the registry and the rest (`repo[:tag][@digest]`). */
function splitRegistry(text: string): [string, string] {
  const slash = text.indexOf("/");
  let registry = DEFAULT_REGISTRY;
  let rest = text;
  if (slash !== -1) {
    const first = text.slice(0, slash);
    const isRegistry = /[.:]/.test(first) || first === "localhost" ||
      first.toLowerCase() !== first;
    if (isRegistry) {
      registry = first;
      rest = text.slice(slash + 1);
    }
  }
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && !/^[^:@]*\//.test(rest)) rest = OFFICIAL_PREFIX + rest;
  return [registry, rest];
}

/** Why `repo[:tag][@digest]` does not match the grammar, as precisely as cheap. */
function explain(registry: string, rest: string): string {
  if (!DOMAIN_RE.test(registry)) return `registry '${registry}' is not a valid host[:port]`;
  const at = rest.indexOf("@");
  const beforeDigest = at === -1 ? rest : rest.slice(0, at);
  const colon = beforeDigest.indexOf(":", beforeDigest.lastIndexOf("/") + 1);
  const path = colon === -1 ? beforeDigest : beforeDigest.slice(0, colon);
  if (path === "" || path.split("/").some((c) => c === "")) {
    return "a repository name component is empty";
  }
  if (!REPOSITORY_RE.test(path)) {
    return `repository name '${path}' may only hold lowercase letters, digits and ` +
      "'.', '_', '__', '-' between them";
  }
  if (colon !== -1) {
    const tag = beforeDigest.slice(colon + 1);
    if (!TAG_RE.test(tag)) {
      return `tag '${tag}' must be 1 to 128 letters, digits, '_', '.' or '-', ` +
        "not starting with '.' or '-'";
    }
  }
  if (at !== -1) {
    return `digest '${rest.slice(at + 1)}' must be 'sha256:' and 64 lowercase hex digits`;
  }
  return "invalid reference format";
}
