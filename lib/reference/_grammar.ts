/**
 * Pieces of the reference grammar of the distribution project
 * (github.com/distribution/reference, `regexp.go`).
 *
 * @module
 */

const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|-+)";
/** One path component of a repository: `library`, `my_repo`, `a-b.c`. */
export const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const IPV6 = "\\[[a-fA-F0-9:]+\\]";
/** A registry host and optional port: `docker.io`, `localhost:5000`, `[::1]:5000`. */
export const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})(?::[0-9]+)?`;
/** A tag: a word character, then up to 127 word characters, dots and dashes. */
export const TAG = "[\\w][\\w.-]{0,127}";
/** Any digest the grammar accepts (`algorithm:hex`); nook then requires sha256. */
export const ANY_DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

/** `name[:tag][@digest]` with groups name, tag, digest. */
export const REFERENCE_RE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${ANY_DIGEST}))?$`,
);
/** A whole repository path. */
export const REPOSITORY_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
/** A whole registry host. */
export const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
/** A whole tag. */
export const TAG_RE = new RegExp(`^${TAG}$`);
/** A sha256 digest: the only kind nook accepts. */
export const SHA256_DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
/** 64 hex digits alone: docker refuses them as names (they look like image ids). */
export const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
/** Longest repository path. */
export const REPOSITORY_MAX_LENGTH = 255;
