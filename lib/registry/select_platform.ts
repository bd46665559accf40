/**
 * Choosing an image manifest for a platform from an index.
 *
 * @module
 */
import type { Descriptor } from "./manifest.ts";
import { isManifestMediaType } from "./media_types.ts";
import { normalizePlatform, type Platform } from "./platform.ts";

/** Older arm variants a newer arm CPU runs, best first (as containerd orders them). */
const ARM_FALLBACK: Record<string, string[]> = {
  v8: ["v8", "v7", "v6", "v5"],
  v7: ["v7", "v6", "v5"],
  v6: ["v6", "v5"],
  v5: ["v5"],
};

/**
 * How well an index entry's platform fits the wanted one: 0 is exact, higher
 * is a fallback (an older arm variant), `undefined` is no fit.
 */
function rank(wanted: Platform, candidate: Platform): number | undefined {
  const have = normalizePlatform(candidate);
  if (have.os !== wanted.os || have.architecture !== wanted.architecture) return undefined;
  if (have.variant === wanted.variant) return 0;
  if (wanted.architecture === "arm" && wanted.variant && have.variant) {
    const order = ARM_FALLBACK[wanted.variant] ?? [wanted.variant];
    const at = order.indexOf(have.variant);
    return at === -1 ? undefined : at;
  }
  // amd64 v2/v3 images run on no-variant requests only when asked for; a
  // missing variant on the image side fits any request of that architecture.
  if (have.variant === undefined) return 1;
  return undefined;
}

/**
 * The entry of an image index (manifest list) for a platform, chosen as
 * docker and containerd do: same OS and architecture; the same variant,
 * else an entry without a variant, else (arm) the newest older variant; the
 * first of equally good entries. Entries that are not image manifests
 * (attestations with platform `unknown/unknown`, nested indexes) are skipped.
 *
 * @param manifests The index's `manifests`.
 * @param platform The wanted platform.
 * @returns The chosen descriptor, or `undefined` when none fits.
 *
 * @example
 * ```ts
 * import { selectPlatform } from "./select_platform.ts";
 * const d = (n: string) => "sha256:" + n.repeat(64);
 * const manifests = [
 *   { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("a"), size: 1,
 *     platform: { os: "linux", architecture: "amd64" } },
 *   { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("b"), size: 1,
 *     platform: { os: "linux", architecture: "arm64", variant: "v8" } },
 * ];
 * console.assert(selectPlatform(manifests, { os: "linux", architecture: "arm64" })?.digest === d("b"));
 * ```
 */
export function selectPlatform(
  manifests: Descriptor[],
  platform: Platform,
): Descriptor | undefined {
  const wanted = normalizePlatform(platform);
  let best: Descriptor | undefined;
  let bestRank = Infinity;
  for (const entry of manifests) {
    if (!entry.platform || !isManifestMediaType(entry.mediaType)) continue;
    const r = rank(wanted, entry.platform);
    if (r !== undefined && r < bestRank) {
      best = entry;
      bestRank = r;
    }
  }
  return best;
}
