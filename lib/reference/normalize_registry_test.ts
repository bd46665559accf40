import { strictEqual, throws } from "node:assert";
import { normalizeRegistry } from "./normalize_registry.ts";

Deno.test("normalizeRegistry() folds Docker Hub's names and URLs into docker.io", () => {
  for (
    const text of [
      "docker.io",
      "index.docker.io",
      "registry-1.docker.io",
      "https://index.docker.io/v1/",
      "http://docker.io",
    ]
  ) {
    strictEqual(normalizeRegistry(text), "docker.io", text);
  }
});

Deno.test("normalizeRegistry() keeps host and port", () => {
  strictEqual(normalizeRegistry("127.0.0.1:5000"), "127.0.0.1:5000");
  strictEqual(normalizeRegistry("https://quay.io/v2/"), "quay.io");
  strictEqual(normalizeRegistry("localhost:5000/"), "localhost:5000");
  strictEqual(normalizeRegistry("[::1]:5000"), "[::1]:5000");
});

Deno.test("normalizeRegistry() refuses what is not host[:port]", () => {
  for (const bad of ["", "quay.io/org", "a b", "host:port", "-x.io"]) {
    throws(() => normalizeRegistry(bad), new RegExp(`^UsageError: Invalid registry '${bad}'`));
  }
});
