import { deepStrictEqual, ok, throws } from "node:assert";
import { UsageError } from "../errors/mod.ts";
import { parseReference } from "./parse_reference.ts";
import type { Reference } from "./reference.ts";

const D = "sha256:" + "ab".repeat(32);

const VALID: [string, Reference][] = [
  ["busybox", { registry: "docker.io", repository: "library/busybox", tag: "latest" }],
  ["busybox:1.36", { registry: "docker.io", repository: "library/busybox", tag: "1.36" }],
  ["library/busybox", { registry: "docker.io", repository: "library/busybox", tag: "latest" }],
  ["docker.io/busybox", { registry: "docker.io", repository: "library/busybox", tag: "latest" }],
  ["index.docker.io/busybox", {
    registry: "docker.io",
    repository: "library/busybox",
    tag: "latest",
  }],
  ["user/repo", { registry: "docker.io", repository: "user/repo", tag: "latest" }],
  ["user/repo:tag", { registry: "docker.io", repository: "user/repo", tag: "tag" }],
  ["a/b/c/d", { registry: "docker.io", repository: "a/b/c/d", tag: "latest" }],
  ["foo:5000", { registry: "docker.io", repository: "library/foo", tag: "5000" }],
  ["localhost/repo", { registry: "localhost", repository: "repo", tag: "latest" }],
  ["localhost:5000/repo:v1", { registry: "localhost:5000", repository: "repo", tag: "v1" }],
  ["127.0.0.1:5000/x:y", { registry: "127.0.0.1:5000", repository: "x", tag: "y" }],
  ["[::1]:5000/x/y", { registry: "[::1]:5000", repository: "x/y", tag: "latest" }],
  ["quay.io/org/app", { registry: "quay.io", repository: "org/app", tag: "latest" }],
  ["Example.COM/app", { registry: "Example.COM", repository: "app", tag: "latest" }],
  ["Host/app", { registry: "Host", repository: "app", tag: "latest" }],
  ["my-registry.local:443/a.b/c_d/e__f/g--h", {
    registry: "my-registry.local:443",
    repository: "a.b/c_d/e__f/g--h",
    tag: "latest",
  }],
  [`busybox@${D}`, { registry: "docker.io", repository: "library/busybox", digest: D }],
  [`busybox:1.36@${D}`, {
    registry: "docker.io",
    repository: "library/busybox",
    tag: "1.36",
    digest: D,
  }],
  [`127.0.0.1:5000/x@${D}`, { registry: "127.0.0.1:5000", repository: "x", digest: D }],
  ["repo:_tag.with-all_", {
    registry: "docker.io",
    repository: "library/repo",
    tag: "_tag.with-all_",
  }],
  [`repo:${"t".repeat(128)}`, {
    registry: "docker.io",
    repository: "library/repo",
    tag: "t".repeat(128),
  }],
];

for (const [text, want] of VALID) {
  Deno.test(`parseReference() reads '${text.length > 60 ? text.slice(0, 60) + "..." : text}'`, () => {
    deepStrictEqual(parseReference(text), want);
  });
}

const INVALID: [string, RegExp][] = [
  ["", /the name is empty/],
  ["Busybox", /repository name 'library\/Busybox' must be lowercase/],
  ["user/Repo", /must be lowercase/],
  ["a".repeat(64).replace(/a/g, "f"), /64 hex digits/],
  ["repo:", /invalid reference format|tag/],
  ["repo:-tag", /tag '-tag'/],
  ["repo:.tag", /tag '.tag'/],
  [`repo:${"t".repeat(129)}`, /tag 't+' must be 1 to 128/],
  ["repo:a:b", /tag 'a:b'/],
  ["a//b", /component is empty/],
  ["/a", /component is empty|registry/],
  ["a/", /component is empty/],
  ["-a/b", /may only hold lowercase/],
  ["a-/b", /may only hold lowercase/],
  ["a/b..c", /may only hold lowercase/],
  ["a/b___c", /may only hold lowercase/],
  ["a b", /may only hold lowercase/],
  ["host:port/x", /registry 'host:port' is not a valid host\[:port\]/],
  ["-host.com/x", /registry '-host.com'/],
  ["repo@sha256:abc", /digest 'sha256:abc'/],
  [`repo@sha256:${"AB".repeat(32)}`, /must be 'sha256:' and 64 lowercase hex digits/],
  [`repo@sha512:${"ab".repeat(64)}`, /unsupported digest algorithm 'sha512'/],
  [`repo@${D}x`, /digest/],
  ["repo@", /digest|invalid/],
  [`${"a/".repeat(128)}b`, /longer than 255/],
];

for (const [text, want] of INVALID) {
  Deno.test(`parseReference() refuses '${text.length > 60 ? text.slice(0, 60) + "..." : text}'`, () => {
    throws(() => parseReference(text), (err: Error) => {
      ok(err instanceof UsageError, `not a UsageError: ${err}`);
      ok(err.message.startsWith(`Invalid reference '${text}': `), err.message);
      ok(want.test(err.message), err.message);
      return true;
    });
  });
}
