// login and logout against a real registry with TLS (its own CA) and
// htpasswd auth, and pull with the stored credentials, as the unprivileged
// test user. Auth files go to temp directories, never the user's own.
import assert from "node:assert/strict";
import { nook, repoRoot } from "./helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";

const USER = "nookuser";
const PASSWORD = "s3cret pass";

let registry: TestRegistry;
let image: string;
const root = Deno.makeTempDirSync({ prefix: "nook-login-test-" });
const runtime = `${root}/runtime`;
const env = {
  NOOK_ROOT: `${root}/store`,
  XDG_RUNTIME_DIR: runtime,
  XDG_CONFIG_HOME: `${root}/config`,
  DOCKER_CONFIG: `${root}/docker`,
};
const authFile = `${runtime}/containers/auth.json`;

const setup = (async () => {
  Deno.mkdirSync(runtime, { mode: 0o700 });
  registry = await startRegistry({ tls: true, htpasswd: { user: USER, password: PASSWORD } });
  image = (await pushBusyboxImage(registry.host, "private/busybox", "1", {
    creds: `${USER}:${PASSWORD}`,
    certDir: registry.certDir,
  })).reference;
})();

globalThis.addEventListener("unload", () => {
  registry?.stop();
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

const run = (args: string[], stdin?: string) => nook(args, { env, stdin });
const exists = (path: string) => {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

Deno.test("login with a wrong password or without one fails clearly and stores nothing", async () => {
  await setup;
  const certDir = registry.certDir!;
  const wrong = await run(
    ["login", "-u", USER, "--password-stdin", "--cert-dir", certDir, registry.host],
    "wrong\n",
  );
  assert.equal(wrong.code, 125);
  assert.match(wrong.stderr, new RegExp(`^nook: Cannot log in to '${registry.host}': .*password`));
  assert.ok(!exists(authFile), "nothing stored");

  const noUser = await run(["login", "--cert-dir", certDir, registry.host]);
  assert.equal(noUser.code, 125);
  assert.match(noUser.stderr, /no user name; give -u USER \(stdin is not a terminal/);
  const noPass = await run(["login", "-u", USER, "--cert-dir", certDir, registry.host]);
  assert.equal(noPass.code, 125);
  assert.match(noPass.stderr, /no password; give --password-stdin/);
  const both = await run(["login", "-u", USER, "-p", "x", "--password-stdin", registry.host], "x");
  assert.equal(both.code, 125);
  assert.match(both.stderr, /mutually exclusive/);
  const untrusted = await run(["login", "-u", USER, "--password-stdin", registry.host], PASSWORD);
  assert.equal(untrusted.code, 125, "the registry's CA is not trusted without --cert-dir");
  assert.ok(!exists(authFile));
});

Deno.test("login stores credentials that pull uses; logout removes them and pull is refused", async () => {
  await setup;
  const certDir = registry.certDir!;
  const before = await run(["pull", "-q", "--cert-dir", certDir, image]);
  assert.equal(before.code, 125, "anonymous pull of a private image");

  const login = await run(
    ["login", "-u", USER, "--password-stdin", "--cert-dir", certDir, registry.host],
    `${PASSWORD}\n`,
  );
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.stdout, "Login Succeeded\n");
  const auth = JSON.parse(Deno.readTextFileSync(authFile));
  assert.equal(atob(auth.auths[registry.host].auth), `${USER}:${PASSWORD}`);
  assert.equal(Deno.statSync(authFile).mode! & 0o777, 0o600);

  const again = await run(["login", "--cert-dir", certDir, registry.host]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, "Authenticating with existing credentials...\nLogin Succeeded\n");

  const pull = await run(["pull", "-q", "--cert-dir", certDir, image]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /^sha256:[0-9a-f]{64}\n$/);

  // Push with the stored credentials over TLS, then an independent tool reads it back.
  const copy = `${registry.host}/private/copy:1`;
  const push = await run(["push", "--cert-dir", certDir, image, copy]);
  assert.equal(push.code, 0, push.stderr);
  const inspect = await new Deno.Command("skopeo", {
    args: ["inspect", "--cert-dir", certDir, "--creds", `${USER}:${PASSWORD}`, `docker://${copy}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(inspect.code, 0, new TextDecoder().decode(inspect.stderr));
  assert.equal(
    JSON.parse(new TextDecoder().decode(inspect.stdout)).Name,
    `${registry.host}/private/copy`,
  );

  const logout = await run(["logout", registry.host]);
  assert.equal(logout.code, 0, logout.stderr);
  assert.equal(logout.stdout, `Removing login credentials for ${registry.host}\n`);
  assert.equal(JSON.parse(Deno.readTextFileSync(authFile)).auths[registry.host], undefined);
  const twice = await run(["logout", registry.host]);
  assert.equal(twice.stdout, `Not logged in to ${registry.host}\n`);

  const refused = await run(["pull", "-q", "--cert-dir", certDir, image]);
  assert.equal(refused.code, 125);
  assert.match(refused.stderr, /unauthorized|authentication required|credentials/i);
});
