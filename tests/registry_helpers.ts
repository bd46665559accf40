/**
 * Real registries and real images for tests that pull or push: a CNCF
 * distribution registry (`docker-registry`) on 127.0.0.1, optionally with TLS
 * and htpasswd auth, and busybox images built with `umoci` and pushed with
 * `skopeo`. Everything runs as the calling user and stays in temp
 * directories; nothing reaches beyond 127.0.0.1.
 *
 * Needs the Debian packages `docker-registry`, `skopeo`, `umoci`,
 * `busybox-static`, `openssl` and `apache2-utils` (for `htpasswd`).
 *
 * @example A registry with one image, stopped when the test ends
 * ```ts ignore
 * import { pushBusyboxImage, startRegistry } from "./registry_helpers.ts";
 * Deno.test("pulls busybox", async () => {
 *   await using registry = await startRegistry();
 *   const image = await pushBusyboxImage(registry.host, "test/busybox", "1.0");
 *   // image.reference === `${registry.host}/test/busybox:1.0`
 * });
 * ```
 *
 * @module
 */

/** Options of {@linkcode startRegistry}. */
export interface StartRegistryOptions {
  /**
   * Serve HTTPS with a server certificate for `127.0.0.1` (SAN IP:127.0.0.1
   * and DNS:localhost) signed by a fresh CA; the CA's path is
   * {@linkcode TestRegistry.caCert} (default false: plain HTTP).
   */
  tls?: boolean;
  /** Require HTTP Basic auth with this one account (default: no auth). */
  htpasswd?: { user: string; password: string };
}

/** A running registry made by {@linkcode startRegistry}. */
export interface TestRegistry extends AsyncDisposable {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  host: string;
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  /** Path of the CA certificate (PEM) that signed the server certificate (TLS only). */
  caCert?: string;
  /**
   * A directory holding only `ca.crt` (TLS only): what podman's `--cert-dir`
   * and `skopeo --dest-cert-dir` expect.
   */
  certDir?: string;
  /** Pid of the registry process. */
  pid: number;
  /** Kills the registry (SIGKILL, by pid) and removes its temp directory. */
  stop(): Promise<void>;
}

/** How long {@linkcode startRegistry} waits for `/v2/` to answer. */
const START_TIMEOUT_MS = 15_000;

/**
 * Starts a `docker-registry` (CNCF distribution v2) on 127.0.0.1 on a free
 * port, with filesystem storage in a new temp directory and deletes enabled,
 * and waits until `GET /v2/` answers (200, or 401 with auth).
 *
 * @param options TLS and htpasswd auth.
 * @returns The running registry; call `stop()` (or `await using`) when done.
 * @throws {Error} When a tool is missing, the registry exits early or does
 *   not answer within 15 s; the message holds the registry's output.
 *
 * @example A TLS registry with a password
 * ```ts ignore
 * import { startRegistry } from "./registry_helpers.ts";
 * const registry = await startRegistry({ tls: true, htpasswd: { user: "u", password: "p" } });
 * try {
 *   // registry.url === "https://127.0.0.1:PORT", registry.caCert is the CA's PEM file
 * } finally {
 *   await registry.stop();
 * }
 * ```
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-registry-" });
  try {
    const config = [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${dir}/data`,
      "  delete:",
      "    enabled: true",
    ];
    const http = [`  secret: ${crypto.randomUUID()}`];
    let caCert: string | undefined;
    let certDir: string | undefined;
    if (options.tls) {
      await makeCertificates(dir);
      caCert = `${dir}/ca.crt`;
      certDir = `${dir}/certs.d`;
      await Deno.mkdir(certDir);
      await Deno.copyFile(caCert, `${certDir}/ca.crt`);
      http.push("  tls:", `    certificate: ${dir}/server.crt`, `    key: ${dir}/server.key`);
    }
    if (options.htpasswd) {
      const { user, password } = options.htpasswd;
      const out = await runTool("htpasswd", ["-Bbn", user, password]);
      await Deno.writeTextFile(`${dir}/htpasswd`, out);
      config.push("auth:", "  htpasswd:", "    realm: nook-test", `    path: ${dir}/htpasswd`);
    }
    // The free port may be taken before the registry binds it: then try another.
    for (let attempt = 1;; attempt++) {
      const host = `127.0.0.1:${freePort()}`;
      const yaml = [...config, "http:", `  addr: ${host}`, ...http].join("\n") + "\n";
      await Deno.writeTextFile(`${dir}/config.yml`, yaml);
      try {
        return await spawnRegistry(dir, host, options.tls ? "https" : "http", caCert, certDir);
      } catch (err) {
        if (attempt >= 3 || !(err instanceof RegistryExited)) throw err;
      }
    }
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** The registry process ended before it answered. */
class RegistryExited extends Error {}

async function spawnRegistry(
  dir: string,
  host: string,
  scheme: "http" | "https",
  caCert: string | undefined,
  certDir: string | undefined,
): Promise<TestRegistry> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("docker-registry", {
      args: ["serve", `${dir}/config.yml`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    throw new Error(
      `Cannot run 'docker-registry': ${(err as Error).message} ` +
        "(install the Debian package docker-registry)",
      { cause: err },
    );
  }
  const output = collectText(child.stdout, child.stderr);
  const url = `${scheme}://${host}`;
  let killed = false;
  const kill = async () => {
    if (killed) return;
    killed = true;
    try {
      Deno.kill(child.pid, "SIGKILL");
    } catch {
      // Already exited.
    }
    await child.status;
    await output.done;
  };
  try {
    await waitForRegistry(url, caCert, child.status);
  } catch (err) {
    await kill();
    const message = `${(err as Error).message}\n--- registry output ---\n${output.text()}`;
    throw err instanceof RegistryExited ? new RegistryExited(message) : new Error(message);
  }
  // Everything but the final wait happens synchronously, so that a stop() called from an
  // `unload` handler (which cannot await) still kills the registry and removes its files.
  const stop = async () => {
    const exited = kill(); // sends SIGKILL before its first await
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
    await exited;
  };
  return { host, url, caCert, certDir, pid: child.pid, stop, [Symbol.asyncDispose]: stop };
}

/** Options of {@linkcode pushBusyboxImage} and {@linkcode pushMultiArchImage}. */
export interface PushImageOptions {
  /** `user:password` for the registry (skopeo `--dest-creds`). */
  creds?: string;
  /**
   * A directory with the registry's CA as `*.crt` (skopeo
   * `--dest-cert-dir`); without it TLS is not verified.
   */
  certDir?: string;
  /** Image config `Cmd` (default `["sh"]`). */
  cmd?: string[];
  /** Image config `Env` entries added to umoci's default PATH. */
  env?: string[];
  /** Extra files in the image: path inside the image -> text content. */
  files?: Record<string, string>;
  /** Image config `ExposedPorts` keys, e.g. `["80/tcp", "53/udp"]`. */
  exposedPorts?: string[];
}

/** What {@linkcode pushBusyboxImage} and {@linkcode pushMultiArchImage} pushed. */
export interface PushedImage {
  /** `HOST/REPO:TAG`. */
  reference: string;
  /**
   * Digest of the pushed manifest (an image manifest, or the index for a
   * multi-arch image), as in the registry.
   */
  digest: string;
  /** Platform -> manifest digest (`linux/amd64` -> `sha256:...`); one entry for a single image. */
  platforms: Record<string, string>;
}

/**
 * Builds an OCI image from the host's `/bin/busybox` with umoci (one layer:
 * `/bin/busybox`, applet links `/bin/sh`, `/bin/ls`, `/bin/cat`, `/bin/echo`,
 * `/bin/id`, `/bin/true`, `/bin/false`, `/bin/env`, `/etc/passwd` with root
 * and nobody, `/etc/group`, `/etc/nook-arch` holding `linux/amd64`, and
 * `options.files`; config `Cmd` `["sh"]`, os linux, architecture amd64) and
 * pushes it to `host/repo:tag` with `skopeo copy`.
 *
 * @param host The registry, `127.0.0.1:PORT`.
 * @param repo Repository, such as `library/busybox`.
 * @param tag Tag to push.
 * @param options Credentials, CA directory, config and extra files.
 * @returns The reference, the manifest's digest and its platform.
 * @throws {Error} When umoci or skopeo fails (the message holds its stderr).
 *
 * @example
 * ```ts ignore
 * import { pushBusyboxImage, startRegistry } from "./registry_helpers.ts";
 * await using registry = await startRegistry();
 * const { reference, digest } = await pushBusyboxImage(registry.host, "x/busybox", "latest");
 * ```
 */
export async function pushBusyboxImage(
  host: string,
  repo: string,
  tag: string,
  options: PushImageOptions = {},
): Promise<PushedImage> {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-image-" });
  try {
    const layout = `${dir}/layout`;
    await runTool("umoci", ["init", "--layout", layout]);
    const digest = await buildBusyboxImage(dir, "image", "amd64", options);
    await skopeoPush(`oci:${layout}:image`, host, repo, tag, options, false);
    return { reference: `${host}/${repo}:${tag}`, digest, platforms: { "linux/amd64": digest } };
  } finally {
    await removeTree(dir);
  }
}

/**
 * Builds two busybox images with umoci (as {@linkcode pushBusyboxImage}
 * does), one with architecture `amd64` and one with `arm64` variant `v8`
 * (same host busybox binary; `/etc/nook-arch` says `linux/amd64` or
 * `linux/arm64/v8`), writes an OCI image index over both by hand, and pushes
 * the index with both images with `skopeo copy --all`.
 *
 * @param host The registry, `127.0.0.1:PORT`.
 * @param repo Repository.
 * @param tag Tag of the index.
 * @param options Credentials, CA directory, config and extra files.
 * @returns The reference, the index digest and each platform's manifest digest
 *   (keys `linux/amd64` and `linux/arm64/v8`).
 * @throws {Error} When umoci or skopeo fails.
 *
 * @example
 * ```ts ignore
 * import { pushMultiArchImage, startRegistry } from "./registry_helpers.ts";
 * await using registry = await startRegistry();
 * const image = await pushMultiArchImage(registry.host, "x/multi", "latest");
 * // image.platforms["linux/arm64/v8"] is the arm64 manifest digest
 * ```
 */
export async function pushMultiArchImage(
  host: string,
  repo: string,
  tag: string,
  options: PushImageOptions = {},
): Promise<PushedImage> {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-image-" });
  try {
    const layout = `${dir}/layout`;
    await runTool("umoci", ["init", "--layout", layout]);
    const amd64 = await buildBusyboxImage(dir, "amd64", "amd64", options);
    const arm64 = await buildBusyboxImage(dir, "arm64", "arm64", options);
    const layoutIndex = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
    const descriptorOf = (digest: string) => {
      const found = layoutIndex.manifests.find((m: { digest: string }) => m.digest === digest);
      return { mediaType: found.mediaType, digest: found.digest, size: found.size };
    };
    const index = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { ...descriptorOf(amd64), platform: { architecture: "amd64", os: "linux" } },
        {
          ...descriptorOf(arm64),
          platform: { architecture: "arm64", os: "linux", variant: "v8" },
        },
      ],
    };
    const bytes = new TextEncoder().encode(JSON.stringify(index));
    const digest = await sha256Digest(bytes);
    await Deno.writeFile(`${layout}/blobs/sha256/${digest.slice(7)}`, bytes);
    layoutIndex.manifests.push({
      mediaType: index.mediaType,
      digest,
      size: bytes.length,
      annotations: { "org.opencontainers.image.ref.name": "multi" },
    });
    await Deno.writeTextFile(`${layout}/index.json`, JSON.stringify(layoutIndex));
    await skopeoPush(`oci:${layout}:multi`, host, repo, tag, options, true);
    return {
      reference: `${host}/${repo}:${tag}`,
      digest,
      platforms: { "linux/amd64": amd64, "linux/arm64/v8": arm64 },
    };
  } finally {
    await removeTree(dir);
  }
}

/**
 * Runs a program to completion and returns its stdout.
 *
 * @param cmd Program name (looked up on PATH).
 * @param args Its arguments.
 * @returns Standard output as text.
 * @throws {Error} When it cannot start or exits non-zero; the message holds
 *   the command line and its stderr.
 *
 * @example
 * ```ts ignore
 * import { runTool } from "./registry_helpers.ts";
 * const json = await runTool("skopeo", ["inspect", "--tls-verify=false", "docker://127.0.0.1:5000/x:y"]);
 * ```
 */
export async function runTool(cmd: string, args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    const pkg = PACKAGES[cmd];
    const hint = pkg ? ` (install the Debian package ${pkg})` : "";
    throw new Error(`Cannot run '${cmd}': ${(err as Error).message}${hint}`, { cause: err });
  }
  const dec = new TextDecoder();
  if (!out.success) {
    throw new Error(
      `'${cmd} ${args.join(" ")}' exited with ${out.code}: ${dec.decode(out.stderr).trim()}`,
    );
  }
  return dec.decode(out.stdout);
}

/**
 * The `sha256:<hex>` digest of some bytes.
 *
 * @param bytes The content.
 * @returns Its digest.
 *
 * @example
 * ```ts ignore
 * import { sha256Digest } from "./registry_helpers.ts";
 * const d = await sha256Digest(new TextEncoder().encode("x"));
 * ```
 */
export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `sha256:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The Debian package of each tool the helpers run. */
const PACKAGES: Record<string, string> = {
  "docker-registry": "docker-registry",
  skopeo: "skopeo",
  umoci: "umoci",
  openssl: "openssl",
  htpasswd: "apache2-utils",
};

const APPLETS = ["sh", "ls", "cat", "echo", "id", "true", "false", "env"];

/** Builds one image into `${dir}/layout` under tag `name`; returns its manifest digest. */
async function buildBusyboxImage(
  dir: string,
  name: string,
  arch: "amd64" | "arm64",
  options: PushImageOptions,
): Promise<string> {
  const layout = `${dir}/layout`;
  const image = `${layout}:${name}`;
  const bundle = `${dir}/bundle-${name}`;
  await runTool("umoci", ["new", "--image", image]);
  await runTool("umoci", ["unpack", "--rootless", "--image", image, bundle]);
  const root = `${bundle}/rootfs`;
  await Deno.mkdir(`${root}/bin`, { recursive: true });
  await Deno.mkdir(`${root}/etc`, { recursive: true });
  await Deno.mkdir(`${root}/tmp`, { recursive: true, mode: 0o1777 });
  await Deno.copyFile("/bin/busybox", `${root}/bin/busybox`);
  await Deno.chmod(`${root}/bin/busybox`, 0o755);
  for (const applet of APPLETS) await Deno.symlink("busybox", `${root}/bin/${applet}`);
  await Deno.writeTextFile(
    `${root}/etc/passwd`,
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
  );
  await Deno.writeTextFile(`${root}/etc/group`, "root:x:0:\nnogroup:x:65534:\n");
  await Deno.writeTextFile(
    `${root}/etc/nook-arch`,
    arch === "amd64" ? "linux/amd64\n" : "linux/arm64/v8\n",
  );
  for (const [path, text] of Object.entries(options.files ?? {})) {
    const full = `${root}/${path.replace(/^\/+/, "")}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(full, text);
  }
  await runTool("umoci", ["repack", "--image", image, bundle]);
  const config = ["config", "--image", image, "--os", "linux", "--architecture", arch];
  for (const entry of options.env ?? []) config.push("--config.env", entry);
  for (const arg of options.cmd ?? ["sh"]) config.push("--config.cmd", arg);
  for (const port of options.exposedPorts ?? []) config.push("--config.exposedports", port);
  await runTool("umoci", config);
  await removeTree(bundle);
  if (arch === "arm64") await setVariant(layout, name, "v8");
  const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
  const entry = index.manifests.find((m: { annotations?: Record<string, string> }) =>
    m.annotations?.["org.opencontainers.image.ref.name"] === name
  );
  return entry.digest;
}

/** Adds `variant` to the config of image `name` (umoci config has no flag for it). */
async function setVariant(layout: string, name: string, variant: string): Promise<void> {
  const blob = (digest: string) => `${layout}/blobs/sha256/${digest.slice(7)}`;
  const writeBlob = async (value: unknown) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    const digest = await sha256Digest(bytes);
    await Deno.writeFile(blob(digest), bytes);
    return { digest, size: bytes.length };
  };
  const index = JSON.parse(await Deno.readTextFile(`${layout}/index.json`));
  const entry = index.manifests.find((m: { annotations?: Record<string, string> }) =>
    m.annotations?.["org.opencontainers.image.ref.name"] === name
  );
  const manifest = JSON.parse(await Deno.readTextFile(blob(entry.digest)));
  const config = JSON.parse(await Deno.readTextFile(blob(manifest.config.digest)));
  config.variant = variant;
  manifest.config = { ...manifest.config, ...await writeBlob(config) };
  const written = await writeBlob(manifest);
  entry.digest = written.digest;
  entry.size = written.size;
  await Deno.writeTextFile(`${layout}/index.json`, JSON.stringify(index));
}

async function skopeoPush(
  source: string,
  host: string,
  repo: string,
  tag: string,
  options: PushImageOptions,
  all: boolean,
): Promise<void> {
  const args = ["copy", "--quiet"];
  if (all) args.push("--all");
  if (options.certDir) args.push("--dest-cert-dir", options.certDir);
  else args.push("--dest-tls-verify=false");
  if (options.creds) args.push("--dest-creds", options.creds);
  args.push(source, `docker://${host}/${repo}:${tag}`);
  await runTool("skopeo", args);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A CA (`ca.crt`, `ca.key`) and a server certificate for 127.0.0.1 it signed. */
async function makeCertificates(dir: string): Promise<void> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await runTool("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    `${dir}/ca.key`,
    "-out",
    `${dir}/ca.crt`,
    "-days",
    "2",
    "-subj",
    "/CN=nook test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await runTool("openssl", [
    "req",
    ...ec,
    "-keyout",
    `${dir}/server.key`,
    "-out",
    `${dir}/server.csr`,
    "-subj",
    "/CN=127.0.0.1",
  ]);
  await Deno.writeTextFile(
    `${dir}/server.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n" +
      "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
  );
  await runTool("openssl", [
    "x509",
    "-req",
    "-in",
    `${dir}/server.csr`,
    "-CA",
    `${dir}/ca.crt`,
    "-CAkey",
    `${dir}/ca.key`,
    "-CAcreateserial",
    "-out",
    `${dir}/server.crt`,
    "-days",
    "2",
    "-extfile",
    `${dir}/server.ext`,
  ]);
}

/** Polls `GET /v2/` until it answers (any HTTP status), the process exits, or time is up. */
async function waitForRegistry(
  url: string,
  caCert: string | undefined,
  status: Promise<Deno.CommandStatus>,
): Promise<void> {
  const client = caCert
    ? Deno.createHttpClient({ caCerts: [await Deno.readTextFile(caCert)] })
    : undefined;
  let exited: Deno.CommandStatus | undefined;
  status.then((s) => exited = s);
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (exited) {
        throw new RegistryExited(`docker-registry exited with ${exited.code} before it answered`);
      }
      try {
        const res = await fetch(`${url}/v2/`, { client });
        await res.body?.cancel();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`docker-registry did not answer at '${url}/v2/' within ${START_TIMEOUT_MS} ms`);
  } finally {
    client?.close();
  }
}

/** Collects a child's stdout and stderr as text. */
function collectText(
  ...streams: ReadableStream<Uint8Array>[]
): { text(): string; done: Promise<void> } {
  let text = "";
  const dec = new TextDecoder();
  const done = Promise.all(streams.map(async (stream) => {
    for await (const chunk of stream) text += dec.decode(chunk, { stream: true });
  })).then(() => {});
  return { text: () => text, done };
}

/** `rm -rf` that also removes read-only directories umoci leaves. */
async function removeTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch {
    await runTool("chmod", ["-R", "u+rwx", path]).catch(() => "");
    await Deno.remove(path, { recursive: true }).catch(() => {});
  }
}
