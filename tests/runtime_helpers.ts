// Shared by the tests that run nook's Node bundle (dist/node/nook.js) under
// Node and Bun: the runtimes, a runner, a local registry with busybox, and
// throwaway stores removed (as root of the user namespace) at the end.
import { repoRoot } from "./helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";

/** The plain registry (started by {@linkcode busyboxImage}). */
export let registry: TestRegistry | undefined;
/** The TLS registry (started by {@linkcode tlsBusyboxImage}). */
export let tlsRegistry: TestRegistry | undefined;
let authRegistry: TestRegistry | undefined;
const roots: string[] = [];

/** A TLS registry (its own CA in its certDir) with a busybox image, started on first use. */
let tlsImage: Promise<string> | undefined;
export function tlsBusyboxImage(): Promise<string> {
  tlsImage ??= (async () => {
    tlsRegistry = await startRegistry({ tls: true });
    return (await pushBusyboxImage(tlsRegistry.host, "tls/busybox", "1.0", {
      certDir: tlsRegistry.certDir,
    })).reference;
  })();
  return tlsImage;
}

/** A TLS registry with htpasswd auth (user "nookuser", password "s3cret"), started on first use. */
let authStarted: Promise<TestRegistry> | undefined;
export function authRegistryStarted(): Promise<TestRegistry> {
  authStarted ??= (async () => {
    authRegistry = await startRegistry({
      tls: true,
      htpasswd: { user: "nookuser", password: "s3cret" },
    });
    return authRegistry;
  })();
  return authStarted;
}

/** A registry with a busybox image, started by the first test that needs it. */
let image: Promise<string> | undefined;
export function busyboxImage(): Promise<string> {
  image ??= (async () => {
    registry = await startRegistry();
    return (await pushBusyboxImage(registry.host, "test/busybox", "1.0")).reference;
  })();
  return image;
}

globalThis.addEventListener("unload", () => {
  registry?.stop();
  tlsRegistry?.stop();
  authRegistry?.stop();
  // Layers hold files of subordinate ids: remove them as root in the user namespace.
  for (const root of roots) {
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
    }).outputSync();
  }
});

/** The runtimes to test: Node from PATH, Bun from the npm package `bun`. */
export const RUNTIMES: Record<string, string> = {
  node: "node",
  bun: `${repoRoot()}/node_modules/.bin/bun`,
};

/**
 * Runs dist/node/nook.js on a runtime with bytes in and out.
 *
 * @param runtime A key of {@linkcode RUNTIMES}.
 * @param args nook's arguments.
 * @param env Environment added to the test's own.
 * @param stdin Bytes on stdin (default: none, /dev/null).
 */
export async function nookBytes(
  runtime: string,
  args: string[],
  env: Record<string, string> = {},
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const child = new Deno.Command(RUNTIMES[runtime], {
    args: [`${repoRoot()}/dist/node/nook.js`, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env,
  }).spawn();
  // Written while the output is read: a big input cannot wait on a full output pipe.
  const writing = stdin === undefined ? undefined : (async () => {
    const w = child.stdin.getWriter();
    await w.write(stdin);
    await w.close();
  })().catch(() => {}); // nook may exit before reading it all: its code tells
  const out = await child.output();
  await writing;
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

/** {@linkcode nookBytes} with text in and out. */
export async function nookOn(
  runtime: string,
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await nookBytes(
    runtime,
    args,
    env,
    stdin === undefined ? undefined : new TextEncoder().encode(stdin),
  );
  return { code: r.code, stdout: new TextDecoder().decode(r.stdout), stderr: r.stderr };
}

/**
 * A new empty store, removed when the tests end.
 *
 * @param name Part of the directory's name.
 */
export function storeRoot(name: string): string {
  const root = Deno.makeTempDirSync({ prefix: `nook-runtimes-${name}-` });
  roots.push(root);
  return root;
}
