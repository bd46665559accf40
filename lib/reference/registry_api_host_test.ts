import { strictEqual } from "node:assert";
import { registryApiHost } from "./registry_api_host.ts";

Deno.test("registryApiHost() sends docker.io to registry-1.docker.io", () => {
  strictEqual(registryApiHost("docker.io"), "registry-1.docker.io");
  strictEqual(registryApiHost("index.docker.io"), "registry-1.docker.io");
});

Deno.test("registryApiHost() keeps every other registry", () => {
  strictEqual(registryApiHost("quay.io"), "quay.io");
  strictEqual(registryApiHost("127.0.0.1:5000"), "127.0.0.1:5000");
  strictEqual(registryApiHost("[::1]:5000"), "[::1]:5000");
});
