/**
 * Where a layer's bytes come from: the registry, or the URLs of a foreign
 * layer.
 *
 * @module
 */
import type { Descriptor } from "./manifest.ts";
import { isForeignLayer } from "./media_types.ts";

/** One place to fetch a layer from. */
export type LayerSource =
  | { kind: "registry" }
  | { kind: "url"; url: string };

/**
 * The places to fetch a layer from, in order. A foreign (Docker) or
 * non-distributable (OCI) layer is fetched from its descriptor's `urls`
 * first, as docker does, then from the registry (mirrors often hold it);
 * only `http:` and `https:` URLs count. Every other layer, and a foreign
 * layer without usable URLs, comes from the registry. The bytes must match
 * the descriptor's digest whatever the source.
 *
 * @param descriptor The layer's descriptor from the manifest.
 * @returns At least one source; the registry is always last.
 *
 * @example
 * ```ts
 * import { layerSources } from "./layer_sources.ts";
 * const sources = layerSources({
 *   mediaType: "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
 *   digest: "sha256:" + "a".repeat(64),
 *   size: 10,
 *   urls: ["https://example.com/layer.tgz", "file:///etc/passwd"],
 * });
 * console.assert(sources.length === 2 && sources[0].kind === "url");
 * ```
 */
export function layerSources(descriptor: Descriptor): LayerSource[] {
  const sources: LayerSource[] = [];
  if (isForeignLayer(descriptor.mediaType)) {
    for (const url of descriptor.urls ?? []) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        continue;
      }
      if (parsed.protocol === "https:" || parsed.protocol === "http:") {
        sources.push({ kind: "url", url: parsed.href });
      }
    }
  }
  sources.push({ kind: "registry" });
  return sources;
}
