import { deepStrictEqual, strictEqual, throws } from "node:assert";
import { parseManifest } from "./parse_manifest.ts";
import {
  DOCKER_FOREIGN_LAYER,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_MANIFEST,
} from "./media_types.ts";

const D = `sha256:${"a".repeat(64)}`;
const enc = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const manifest = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: D, size: 2 },
  layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: D, size: 3 }],
  ...extra,
});

Deno.test("parseManifest() reads Docker schema 2 and OCI manifests", () => {
  const docker = parseManifest(enc(manifest({ mediaType: DOCKER_MANIFEST })));
  strictEqual(docker.kind, "manifest");
  strictEqual(docker.mediaType, DOCKER_MANIFEST);
  const oci = parseManifest(enc(manifest()), `${OCI_MANIFEST}; charset=utf-8`);
  strictEqual(oci.mediaType, OCI_MANIFEST);
  strictEqual(parseManifest(enc(manifest())).mediaType, OCI_MANIFEST);
});

Deno.test("parseManifest() reads manifest lists and indexes", () => {
  const entry = {
    mediaType: DOCKER_MANIFEST,
    digest: D,
    size: 5,
    platform: { os: "linux", architecture: "amd64" },
  };
  const list = parseManifest(
    enc({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_LIST, manifests: [entry] }),
  );
  strictEqual(list.kind, "index");
  if (list.kind === "index") deepStrictEqual(list.index.manifests, [entry]);
  strictEqual(parseManifest(enc({ schemaVersion: 2, manifests: [] })).mediaType, OCI_INDEX);
  strictEqual(
    parseManifest(enc({ schemaVersion: 2, manifests: [] }), DOCKER_MANIFEST_LIST).mediaType,
    DOCKER_MANIFEST_LIST,
  );
});

Deno.test("parseManifest() keeps foreign layer URLs", () => {
  const layer = { mediaType: DOCKER_FOREIGN_LAYER, digest: D, size: 1, urls: ["https://x/y"] };
  const parsed = parseManifest(enc(manifest({ layers: [layer] })));
  if (parsed.kind === "manifest") deepStrictEqual(parsed.manifest.layers[0].urls, ["https://x/y"]);
});

Deno.test("parseManifest() refuses digests that could become paths (CVE-2024-3727)", () => {
  const bad = manifest({
    layers: [{ mediaType: "x", digest: "sha256:../../../../tmp/evil", size: 1 }],
  });
  throws(
    () => parseManifest(enc(bad)),
    /^TypeError: Invalid manifest: 'layers\[0\]' has digest 'sha256:\.\.\/\.\.\/\.\.\/\.\.\/tmp\/evil'/,
  );
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: OCI_MANIFEST, digest: "x", size: 1 }],
  };
  throws(() => parseManifest(enc(index)), /'manifests\[0\]' has digest 'x'/);
});

Deno.test("parseManifest() refuses schema 1, other types and malformed documents", () => {
  throws(() => parseManifest(enc({ schemaVersion: 1, fsLayers: [] })), /Docker schema 1/);
  throws(() => parseManifest(new TextEncoder().encode("nope")), /Invalid manifest: not JSON/);
  throws(() => parseManifest(enc([1])), /not a JSON object/);
  throws(() => parseManifest(enc({ schemaVersion: 3 })), /schemaVersion '3', expected 2/);
  throws(
    () => parseManifest(enc(manifest({ mediaType: "application/x-other" }))),
    /Unsupported manifest media type 'application\/x-other'/,
  );
  throws(() => parseManifest(enc(manifest({ layers: undefined }))), /no 'layers' list/);
  throws(
    () => parseManifest(enc(manifest({ config: { digest: D, size: 1 } }))),
    /'config' has no mediaType/,
  );
  throws(
    () => parseManifest(enc(manifest({ config: { mediaType: "x", digest: D, size: -1 } }))),
    /'config' has size '-1'/,
  );
  throws(
    () =>
      parseManifest(enc({
        schemaVersion: 2,
        manifests: [{ mediaType: OCI_MANIFEST, digest: D, size: 1, platform: { os: "linux" } }],
      })),
    /platform without os\/architecture/,
  );
});
