import { strictEqual } from "node:assert";
import type { Descriptor } from "./manifest.ts";
import { parsePlatform, type Platform } from "./platform.ts";
import { selectPlatform } from "./select_platform.ts";

const OCI = "application/vnd.oci.image.manifest.v1+json";
let n = 0;
function entry(platform: Platform, mediaType = OCI): Descriptor {
  n++;
  return { mediaType, digest: `sha256:${n.toString(16).padStart(64, "0")}`, size: 1, platform };
}

const amd64 = entry({ os: "linux", architecture: "amd64" });
const arm64 = entry({ os: "linux", architecture: "arm64", variant: "v8" });
const armv6 = entry({ os: "linux", architecture: "arm", variant: "v6" });
const armv7 = entry({ os: "linux", architecture: "arm", variant: "v7" });
const attestation = entry(
  { os: "unknown", architecture: "unknown" },
  "application/vnd.oci.image.manifest.v1+json",
);
const index = [attestation, amd64, armv6, armv7, arm64];

function pick(list: Descriptor[], text: string): Descriptor | undefined {
  return selectPlatform(list, parsePlatform(text));
}

Deno.test("selectPlatform() picks the entry of the same OS, architecture and variant", () => {
  strictEqual(pick(index, "linux/amd64"), amd64);
  strictEqual(pick(index, "linux/arm64"), arm64);
  strictEqual(pick(index, "linux/arm64/v8"), arm64);
  strictEqual(pick(index, "linux/arm/v7"), armv7);
  strictEqual(pick(index, "linux/arm/v6"), armv6);
});

Deno.test("selectPlatform() takes arm64 without a variant as v8", () => {
  const plain = entry({ os: "linux", architecture: "arm64" });
  strictEqual(pick([plain], "linux/arm64/v8"), plain);
});

Deno.test("selectPlatform() falls back to older arm variants, newest first", () => {
  strictEqual(pick([armv6], "linux/arm/v7"), armv6);
  strictEqual(pick([armv6, armv7], "linux/arm/v8"), armv7);
  strictEqual(pick([armv7], "linux/arm/v6"), undefined);
});

Deno.test("selectPlatform() finds nothing for a missing platform", () => {
  strictEqual(pick(index, "linux/s390x"), undefined);
  strictEqual(pick(index, "windows/amd64"), undefined);
});

Deno.test("selectPlatform() does not give an amd64 v3 image to a plain amd64 request", () => {
  const v3 = entry({ os: "linux", architecture: "amd64", variant: "v3" });
  strictEqual(pick([v3], "linux/amd64"), undefined);
  strictEqual(pick([v3, amd64], "linux/amd64/v3"), v3);
  strictEqual(pick([amd64], "linux/amd64/v3"), amd64);
});

Deno.test("selectPlatform() skips nested indexes and entries without a platform", () => {
  const nested = entry(
    { os: "linux", architecture: "amd64" },
    "application/vnd.oci.image.index.v1+json",
  );
  const bare: Descriptor = { mediaType: OCI, digest: amd64.digest, size: 1 };
  strictEqual(pick([nested, bare, amd64], "linux/amd64"), amd64);
});
