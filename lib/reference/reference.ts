/**
 * The parts of an image reference.
 *
 * @module
 */

/** The registry of references without one, as docker resolves them. */
export const DEFAULT_REGISTRY = "docker.io";
/** The tag of references without a tag or digest. */
export const DEFAULT_TAG = "latest";

/**
 * An image reference in its full form: `registry/repository[:tag][@digest]`,
 * such as `docker.io/library/busybox:latest`. Made by `parseReference()`;
 * at least one of `tag` and `digest` is set. With both, the digest decides
 * what is pulled (as in docker) and the tag is only a name.
 */
export interface Reference {
  /** Registry host with an optional port: `docker.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path in the registry: `library/busybox`, `user/repo`. */
  repository: string;
  /** Tag, such as `latest`. */
  tag?: string;
  /** Content digest: `sha256:` and 64 lowercase hex digits. */
  digest?: string;
}
