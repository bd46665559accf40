import { deepStrictEqual, strictEqual, throws } from "node:assert";
import {
  authFilePath,
  readCredentials,
  removeCredentials,
  storeCredentials,
} from "./credentials.ts";

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "nook-test-creds-" });
}

function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, Deno.env.get(k)]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  };
  apply(vars);
  try {
    fn();
  } finally {
    apply(saved);
  }
}

const b64 = (text: string) => btoa(text);

Deno.test("readCredentials() reads podman's auth.json, then docker's config.json", () => {
  const dir = tempDir();
  try {
    const podman = `${dir}/auth.json`;
    const docker = `${dir}/config.json`;
    Deno.writeTextFileSync(
      podman,
      JSON.stringify({ auths: { "quay.io": { auth: b64("alice:pw:with:colons") } } }),
    );
    Deno.writeTextFileSync(
      docker,
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("bob:hub") },
          "quay.io": { auth: b64("ignored:second") },
          "127.0.0.1:5000": { username: "carol", password: "local" },
        },
      }),
    );
    const files = [podman, docker];
    deepStrictEqual(readCredentials("quay.io", "org/app", { files }), {
      username: "alice",
      password: "pw:with:colons",
    });
    deepStrictEqual(readCredentials("docker.io", "library/busybox", { files }), {
      username: "bob",
      password: "hub",
    });
    deepStrictEqual(readCredentials("127.0.0.1:5000", undefined, { files }), {
      username: "carol",
      password: "local",
    });
    strictEqual(readCredentials("ghcr.io", "x", { files }), undefined);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readCredentials() prefers the most specific namespace key", () => {
  const dir = tempDir();
  try {
    const file = `${dir}/auth.json`;
    Deno.writeTextFileSync(
      file,
      JSON.stringify({
        auths: {
          "quay.io": { auth: b64("registry:1") },
          "quay.io/org": { auth: b64("org:2") },
          "quay.io/org/app": { auth: b64("app:3") },
        },
      }),
    );
    const files = [file];
    strictEqual(readCredentials("quay.io", "org/app", { files })?.username, "app");
    strictEqual(readCredentials("quay.io", "org/other", { files })?.username, "org");
    strictEqual(readCredentials("quay.io", "else/x", { files })?.username, "registry");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readCredentials() skips malformed files and entries", () => {
  const dir = tempDir();
  try {
    Deno.writeTextFileSync(`${dir}/bad.json`, "{not json");
    Deno.writeTextFileSync(
      `${dir}/odd.json`,
      JSON.stringify({ auths: { "a.io": { auth: "!!!" }, "b.io": { auth: b64("nocolon") } } }),
    );
    const files = [`${dir}/missing.json`, `${dir}/bad.json`, `${dir}/odd.json`];
    strictEqual(readCredentials("a.io", undefined, { files }), undefined);
    strictEqual(readCredentials("b.io", undefined, { files }), undefined);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("storeCredentials() writes 0600 atomically and keeps other entries", () => {
  const dir = tempDir();
  try {
    const authFile = `${dir}/containers/auth.json`;
    storeCredentials("quay.io", { username: "a", password: "1" }, { authFile });
    storeCredentials("ghcr.io", { username: "é", password: "2" }, { authFile });
    storeCredentials("quay.io", { username: "a", password: "3" }, { authFile });
    strictEqual(Deno.statSync(authFile).mode! & 0o777, 0o600);
    strictEqual(Deno.statSync(`${dir}/containers`).mode! & 0o777, 0o700);
    deepStrictEqual([...Deno.readDirSync(`${dir}/containers`)].map((e) => e.name), ["auth.json"]);
    const files = [authFile];
    deepStrictEqual(readCredentials("quay.io", undefined, { files }), {
      username: "a",
      password: "3",
    });
    deepStrictEqual(readCredentials("ghcr.io", undefined, { files }), {
      username: "é",
      password: "2",
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("removeCredentials() removes every alias of the registry", () => {
  const dir = tempDir();
  try {
    const authFile = `${dir}/auth.json`;
    Deno.writeTextFileSync(
      authFile,
      JSON.stringify({
        auths: {
          "https://index.docker.io/v1/": { auth: b64("a:b") },
          "docker.io": { auth: b64("a:b") },
          "quay.io": { auth: b64("c:d") },
        },
        credHelpers: { "x.io": "pass" },
      }),
    );
    strictEqual(removeCredentials("docker.io", { authFile }), true);
    deepStrictEqual(JSON.parse(Deno.readTextFileSync(authFile)), {
      auths: { "quay.io": { auth: b64("c:d") } },
      credHelpers: { "x.io": "pass" },
    });
    strictEqual(removeCredentials("docker.io", { authFile }), false);
    strictEqual(removeCredentials("quay.io", { authFile: `${dir}/none.json` }), false);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("storeCredentials() refuses to overwrite an auth file that is not JSON", () => {
  const dir = tempDir();
  try {
    const authFile = `${dir}/auth.json`;
    Deno.writeTextFileSync(authFile, "[1, 2]");
    throws(
      () => storeCredentials("quay.io", { username: "a", password: "b" }, { authFile }),
      new RegExp(`Cannot update auth file '${authFile}': it is not a JSON object`),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("authFilePath() follows REGISTRY_AUTH_FILE, then XDG_RUNTIME_DIR", () => {
  const dir = tempDir();
  try {
    withEnv({ REGISTRY_AUTH_FILE: "/some/auth.json", XDG_RUNTIME_DIR: dir }, () => {
      strictEqual(authFilePath(), "/some/auth.json");
    });
    withEnv({ REGISTRY_AUTH_FILE: undefined, XDG_RUNTIME_DIR: dir }, () => {
      strictEqual(authFilePath(), `${dir}/containers/auth.json`);
    });
    withEnv({ REGISTRY_AUTH_FILE: undefined, XDG_RUNTIME_DIR: undefined }, () => {
      const path = authFilePath();
      strictEqual(path, `/tmp/nook-${Deno.uid()}/containers/auth.json`);
      strictEqual(Deno.statSync(`/tmp/nook-${Deno.uid()}`).mode! & 0o077, 0);
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
