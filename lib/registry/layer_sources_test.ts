import { deepStrictEqual } from "node:assert";
import { layerSources } from "./layer_sources.ts";
import { DOCKER_FOREIGN_LAYER, OCI_LAYER_GZIP } from "./media_types.ts";

const D = `sha256:${"a".repeat(64)}`;

Deno.test("layerSources() sends foreign layers to their http(s) URLs, then the registry", () => {
  deepStrictEqual(
    layerSources({
      mediaType: DOCKER_FOREIGN_LAYER,
      digest: D,
      size: 1,
      urls: ["https://mcr.example/layer", "ftp://x/y", "not a url", "http://mirror/l"],
    }),
    [
      { kind: "url", url: "https://mcr.example/layer" },
      { kind: "url", url: "http://mirror/l" },
      { kind: "registry" },
    ],
  );
});

Deno.test("layerSources() treats OCI non-distributable layers as foreign", () => {
  deepStrictEqual(
    layerSources({
      mediaType: "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      digest: D,
      size: 1,
      urls: ["https://a/b"],
    }),
    [{ kind: "url", url: "https://a/b" }, { kind: "registry" }],
  );
});

Deno.test("layerSources() ignores the URLs of ordinary layers", () => {
  deepStrictEqual(
    layerSources({ mediaType: OCI_LAYER_GZIP, digest: D, size: 1, urls: ["https://a/b"] }),
    [{ kind: "registry" }],
  );
  deepStrictEqual(layerSources({ mediaType: DOCKER_FOREIGN_LAYER, digest: D, size: 1 }), [
    { kind: "registry" },
  ]);
});
