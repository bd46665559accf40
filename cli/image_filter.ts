/**
 * `images --filter KEY=VALUE`: docker's image filters (dangling, reference,
 * before, since, label).
 *
 * @module
 */
import { parseFilters } from "./filter_flags.ts";
import { NoSuchImageError } from "../lib/image/no_such_image.ts";
import type { ImageRecord } from "../lib/store/image_index.ts";

const FILTER_KEYS = ["dangling", "reference", "before", "since", "label"];

/** What {@linkcode imageFilter} needs of the store. */
export interface ImageFilterStore {
  /** The image a reference names (for before= and since=), or null. */
  find(reference: string): ImageRecord | null;
  /** An image's labels (read only when a label= filter asks). */
  labels(image: ImageRecord): Record<string, string>;
}

/**
 * The short names docker shows for a full image name: `busybox` and
 * `busybox:latest` for `docker.io/library/busybox:latest`, and the full ones.
 *
 * @param name A full name with its tag.
 * @returns The names a `reference=` pattern is matched against.
 *
 * @example
 * ```ts
 * import { familiarNames } from "./image_filter.ts";
 * console.assert(familiarNames("docker.io/library/busybox:1").includes("busybox"));
 * ```
 */
export function familiarNames(name: string): string[] {
  const at = name.lastIndexOf(":");
  const repo = name.slice(0, at);
  const tag = name.slice(at + 1);
  const short = repo.replace(/^docker\.io\/(library\/)?/, "");
  return [...new Set([short, `${short}:${tag}`, repo, name])];
}

/**
 * Whether a name matches a `reference=` pattern: `*` and `?` within one path
 * part (as Go's path.Match, which docker uses), the rest literally.
 *
 * @param pattern The pattern ("busy*", "*:1", "host:5000/test/*").
 * @param name A name ("busybox:1").
 * @returns True on a match of the whole name.
 *
 * @example
 * ```ts
 * import { matchReference } from "./image_filter.ts";
 * console.assert(matchReference("busy*:1", "busybox:1") && !matchReference("busy*", "a/busybox"));
 * ```
 */
export function matchReference(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*")
    .replaceAll("?", "[^/]");
  return new RegExp(`^${re}$`).test(name);
}

/**
 * The test of `images --filter`s: values of one key are alternatives, keys
 * must all hold (docker's rule). `before=` and `since=` compare the times the
 * images came into the store (what CREATED shows).
 *
 * @param filters The `KEY=VALUE` texts.
 * @param store Finds images and reads labels.
 * @returns Whether an image passes.
 * @throws {UsageError} On a filter that is not `KEY=VALUE`, an unknown key
 *   (named), or `dangling=` other than true or false.
 * @throws {NoSuchImageError} When `before=` or `since=` names no image.
 *
 * @example
 * ```ts
 * import { imageFilter } from "./image_filter.ts";
 * const pass = imageFilter(["dangling=true"], { find: () => null, labels: () => ({}) });
 * const image = {
 *   id: "sha256:1", manifestDigest: "", manifestMediaType: "", names: [], repoDigests: [],
 *   chainIds: [], layerDigests: [], size: 0, pulled: "2024-01-01T00:00:00Z",
 * };
 * console.assert(pass(image) && !pass({ ...image, names: ["docker.io/library/a:1"] }));
 * ```
 */
export function imageFilter(
  filters: readonly string[],
  store: ImageFilterStore,
): (image: ImageRecord) => boolean {
  const byKey = parseFilters(
    filters,
    FILTER_KEYS,
    (key, value) =>
      key === "dangling" && value !== "true" && value !== "false"
        ? "dangling= takes true or false"
        : null,
  );
  const pulled = new Map<string, string>();
  for (const v of [...byKey.get("before") ?? [], ...byKey.get("since") ?? []]) {
    const image = store.find(v);
    if (!image) throw new NoSuchImageError(v);
    pulled.set(v, image.pulled);
  }
  return (image) => {
    const test: Record<string, (v: string) => boolean> = {
      dangling: (v) => (image.names.length === 0) === (v === "true"),
      reference: (v) => image.names.some((n) => familiarNames(n).some((f) => matchReference(v, f))),
      before: (v) => image.pulled < pulled.get(v)!,
      since: (v) => image.pulled > pulled.get(v)!,
      label: (v) => {
        const labels = store.labels(image);
        const at = v.indexOf("=");
        return at < 0 ? v in labels : labels[v.slice(0, at)] === v.slice(at + 1);
      },
    };
    return [...byKey].every(([k, values]) => values.some(test[k]));
  };
}
