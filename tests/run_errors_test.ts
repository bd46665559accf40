/**
 * End-to-end tests of how nook fails: bad input gives one clear message on
 * stderr, exit code 125, and leaves nothing behind (no state in the runtime
 * directory, no process). Also the top-level commands (`--version`, `--help`,
 * `system check`, `info`) and the host checks that explain disabled user
 * namespaces.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fakeHost, runChecks, userNamespaceProblem } from "../lib/host/mod.ts";
import { busyboxRootfs, nook, type NookResult, repoRoot } from "./helpers.ts";

/**
 * A private XDG_RUNTIME_DIR for the nook runs of this file, so that what nook
 * leaves in `<it>/nook` is told apart from other nook runs of the same user.
 */
const runtimeHome = await Deno.makeTempDir({ prefix: "nook-test-xdg-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(runtimeHome, { recursive: true });
  } catch {
    // Best effort: the process is exiting and the dir is in the temp folder.
  }
});

/** Set in the environment of every nook run here; its processes (and clones) inherit it. */
const MARK_VALUE = crypto.randomUUID();
const MARK = `NOOK_TEST_MARK=${MARK_VALUE}`;

/**
 * The command of the failing runs: it would run for 30 s and its shell's
 * command line holds the mark, so a container that starts anyway is found
 * (`; exit 0` keeps busybox sh from exec'ing sleep in its place).
 */
const COMMAND = ["sh", "-c", "sleep 30; exit 0", `nook-test-${MARK_VALUE}`];

/** Entries of `<runtimeHome>/nook` other than the one-time `warned-*` markers and the anchor's files. */
function runtimeEntries(): string[] {
  try {
    return [...Deno.readDirSync(`${runtimeHome}/nook`)].map((e) => e.name)
      .filter((name) => !name.startsWith("warned-") && !name.startsWith("anchor-userns")).sort();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/**
 * Processes started by the nook runs of this file that still exist: those
 * whose environment holds {@linkcode MARK} (nook and its clones before they
 * exec), whose command line names this file's rootfs (the same, as argv is
 * copied on clone) or holds the mark ({@linkcode COMMAND} once it runs).
 */
function leftoverProcesses(rootfsDir: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    let environ = "";
    let cmdline = "";
    try {
      cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      environ = Deno.readTextFileSync(`/proc/${entry.name}/environ`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
    if (
      environ.split("\0").includes(MARK) || cmdline.includes(rootfsDir) ||
      cmdline.includes(MARK_VALUE)
    ) {
      found.push(`${entry.name}: ${cmdline.replaceAll("\0", " ")}`);
    }
  }
  return found;
}

/** Runs the nook CLI with the private runtime dir and the mark. */
function nookHere(args: string[]): Promise<NookResult> {
  return nook(args, { env: { XDG_RUNTIME_DIR: runtimeHome, NOOK_TEST_MARK: MARK_VALUE } });
}

/**
 * Runs nook and asserts it fails the way bad input must: exit code 125,
 * nothing on stdout, one `nook: ` message on stderr matching every pattern,
 * and nothing left behind.
 */
async function assertFailsCleanly(args: string[], ...patterns: RegExp[]): Promise<NookResult> {
  const dir = await busyboxRootfs();
  const before = runtimeEntries();
  const result = await nookHere(args);
  const what = `nook ${args.join(" ")}: ${JSON.stringify(result)}`;
  assert.equal(result.code, 125, what);
  assert.equal(result.stdout, "", what);
  assert.match(result.stderr, /^nook: \S/, what);
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at /, `a stack trace: ${what}`);
  for (const pattern of patterns) assert.match(result.stderr, pattern, what);
  assert.deepEqual(runtimeEntries(), before, `left in ${runtimeHome}/nook by ${what}`);
  assert.deepEqual(leftoverProcesses(dir), [], `processes left by ${what}`);
  return result;
}

/** `nook run --rootfs <busybox> ...flags COMMAND`, expected to fail cleanly. */
async function assertRunFails(flags: string[], ...patterns: RegExp[]): Promise<NookResult> {
  return assertFailsCleanly(
    ["run", "--rootfs", await busyboxRootfs(), ...flags, ...COMMAND],
    ...patterns,
  );
}

// --- The checks themselves -------------------------------------------------------

Deno.test("the leftover scan finds a running container, and none once nook is killed", async () => {
  const dir = await busyboxRootfs();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "run", "--rootfs", dir, ...COMMAND],
    env: { XDG_RUNTIME_DIR: runtimeHome, NOOK_TEST_MARK: MARK_VALUE },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const container = () =>
    leftoverProcesses(dir).filter((p) =>
      / sh -c sleep 30; exit 0 nook-test-\S+ $/.test(p) && !p.includes(dir)
    );
  try {
    await waitFor(() => container().length === 1, "the container's shell");
    assert.notDeepEqual(runtimeEntries(), [], "no state of the running container");
    assert.ok(leftoverProcesses(dir).length >= 2, "nook itself is not found");
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  // The container gets SIGKILL when nook dies (its parent-death signal).
  await waitFor(() => leftoverProcesses(dir).length === 0, "no processes left");
  // nook cannot clean up after SIGKILL: remove its state for the next tests.
  for (const name of runtimeEntries()) {
    await Deno.remove(`${runtimeHome}/nook/${name}`, { recursive: true });
  }
});

/** Polls every 20 ms until `ready()`; throws after 10 s. */
async function waitFor(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// --- Bad input to nook run ---------------------------------------------------------

Deno.test("run --rootfs /nonexistent exits 125 saying there is no such directory", async () => {
  await assertFailsCleanly(
    ["run", "--rootfs", "/nonexistent", "true"],
    /'\/nonexistent'/,
    /no such directory/,
  );
});

Deno.test("run --rootfs with a file exits 125 saying it is not a directory", async () => {
  const file = `${await busyboxRootfs()}/etc/passwd`;
  await assertFailsCleanly(["run", "--rootfs", file, "true"], /not a directory/);
});

Deno.test("run -v nocolon exits 125 naming the spec and the expected form", async () => {
  await assertRunFails(["-v", "nocolon"], /'nocolon'/, /HOST.*:CONTAINER/);
});

Deno.test("run -v relative:/x exits 125 saying the host path is not absolute", async () => {
  await assertRunFails(["-v", "relative:/x"], /'relative'/, /absolute/);
});

Deno.test("run -v /x:/y:bogus exits 125 naming the unknown option", async () => {
  await assertRunFails(["-v", "/tmp:/y:bogus"], /'bogus'/, /\bro\b/);
});

Deno.test("run -v with a missing host path exits 125 saying it does not exist", async () => {
  await assertRunFails(
    ["-v", "/no/such/source:/data"],
    /'\/no\/such\/source'/,
    /does not exist/,
  );
});

Deno.test("run --mount with an unsupported type exits 125 naming the type", async () => {
  await assertRunFails(["--mount", "type=volume,target=/x"], /'volume'/);
});

Deno.test("run --env-file with a missing file exits 125 naming the file", async () => {
  await assertRunFails(["--env-file", "/no/such/env-file"], /'\/no\/such\/env-file'/);
});

Deno.test("run -u nosuchuser exits 125 naming the user and /etc/passwd", async () => {
  await assertRunFails(["-u", "nosuchuser"], /'nosuchuser'/, /\/etc\/passwd/);
});

Deno.test("run -u tester:nosuchgroup exits 125 naming the group and /etc/group", async () => {
  await assertRunFails(["-u", "tester:nosuchgroup"], /'nosuchgroup'/, /\/etc\/group/);
});

Deno.test("run --group-add nosuchgroup exits 125 naming the group", async () => {
  await assertRunFails(["--group-add", "nosuchgroup"], /'nosuchgroup'/);
});

Deno.test("run -u 99999999 exits 125 saying the uid is not mapped", async () => {
  await assertRunFails(["-u", "99999999"], /99999999/, /subuid/);
});

Deno.test("run -w with a relative path exits 125 saying it must be absolute", async () => {
  await assertRunFails(["-w", "relative"], /'relative'/, /absolute/);
});

Deno.test("run --bogus exits 125 with 'unknown flag: --bogus'", async () => {
  await assertRunFails(["--bogus"], /unknown flag: --bogus/);
});

Deno.test("run with no arguments exits 125 and shows the usage", async () => {
  await assertFailsCleanly(["run"], /--rootfs/, /Usage:/);
});

Deno.test("run of an image that is not in the store with --pull=never exits 125 naming it", async () => {
  await assertFailsCleanly(
    ["run", "--pull=never", "busybox", "true"],
    /'busybox'/,
    /not in the store/,
    /pull it first/,
  );
});

Deno.test("run with a malformed image reference exits 125 naming it", async () => {
  await assertFailsCleanly(["run", "--pull=never", "Not/Valid:Ref!", "true"], /Not\/Valid:Ref!/);
});

Deno.test("run --network bridge exits 125 saying it is not supported yet", async () => {
  await assertRunFails(["--network", "bridge"], /'bridge'/, /not supported yet/);
});

Deno.test("run --userns with another mode than keep-id exits 125 naming it", async () => {
  await assertRunFails(["--userns", "host"], /'host'/, /keep-id/);
});

// --- Failures in the container's setup -----------------------------------------------

Deno.test("run with a tmpfs option the kernel refuses exits 125 naming the mount", async () => {
  await assertRunFails(["--tmpfs", "/scratch:bogus=1"], /tmpfs/, /\/scratch/);
});

Deno.test("run -w with a file as working directory exits 125 naming it", async () => {
  await assertRunFails(["-w", "/etc/passwd"], /\/etc\/passwd/, /Not a directory/i);
});

Deno.test("run with a directory bound on a file exits 125 naming both", async () => {
  await assertRunFails(["-v", "/tmp:/etc/passwd"], /\/tmp/, /\/etc\/passwd/);
});

// --- Top-level commands ----------------------------------------------------------------

Deno.test("nook bogus exits 125 naming the unknown command", async () => {
  await assertFailsCleanly(["bogus"], /unknown command 'bogus'/);
});

Deno.test("nook --version prints the version and exits 0", async () => {
  const result = await nookHere(["--version"]);
  assert.equal(result.code, 0, JSON.stringify(result));
  const version = JSON.parse(await Deno.readTextFile(`${repoRoot()}/deno.json`)).version;
  assert.match(result.stdout, new RegExp(`^nook version ${version.replaceAll(".", "\\.")}\\b`));
});

Deno.test("nook --help lists run, unshare, info and system and exits 0", async () => {
  const result = await nookHere(["--help"]);
  assert.equal(result.code, 0, JSON.stringify(result));
  for (const command of ["run", "unshare", "info", "system"]) {
    assert.match(result.stdout, new RegExp(`^  ${command}\\s`, "m"), `no '${command}'`);
  }
});

Deno.test("nook run --help lists the flags and exits 0", async () => {
  const result = await nookHere(["run", "--help"]);
  assert.equal(result.code, 0, JSON.stringify(result));
  for (const flag of ["--rootfs", "--env", "--volume", "--user", "--cap-add", "--userns"]) {
    assert.ok(result.stdout.includes(flag), `no '${flag}' in:\n${result.stdout}`);
  }
});

Deno.test("nook system check exits 0 and prints a CHECK table with userns ok", async () => {
  const result = await nookHere(["system", "check"]);
  assert.equal(result.code, 0, JSON.stringify(result));
  const lines = result.stdout.split("\n");
  assert.match(lines[0], /^CHECK\s+STATUS\s+DETAIL/);
  const row = (id: string) => lines.find((line) => line.startsWith(`${id} `));
  assert.match(row("userns") ?? "", /^userns\s+ok\s/);
  assert.match(row("subuid") ?? "", /^subuid\s+ok\s/);
  assert.ok(row("kernel"), result.stdout);
});

Deno.test("nook info --format json prints JSON about the user and the host", async () => {
  const result = await nookHere(["info", "--format", "json"]);
  assert.equal(result.code, 0, JSON.stringify(result));
  const info = JSON.parse(result.stdout);
  assert.equal(info.user.uid, Deno.uid());
  assert.equal(info.kernel, Deno.osRelease());
  assert.equal(info.runtimeDir, `${runtimeHome}/nook`);
});

Deno.test("nook info --format bogus exits 125 naming the format", async () => {
  await assertFailsCleanly(["info", "--format", "bogus"], /'bogus'/);
});

// --- Disabled user namespaces, through the host checks -----------------------------------

Deno.test("userNamespaceProblem() names user.max_user_namespaces when it is 0", async () => {
  const host = fakeHost({ files: { "/proc/sys/user/max_user_namespaces": "0\n" } });
  const problem = await userNamespaceProblem(host);
  assert.ok(problem, "no problem found");
  assert.match(problem, /user\.max_user_namespaces is 0/);
  assert.match(problem, /^[A-Z]/);
  assert.doesNotMatch(problem, /\.$/);
});

Deno.test("userNamespaceProblem() is null when user namespaces are enabled", async () => {
  const host = fakeHost({ files: { "/proc/sys/user/max_user_namespaces": "15000\n" } });
  assert.equal(await userNamespaceProblem(host), null);
});

Deno.test("runChecks() marks userns as an error with a sysctl fix when it is disabled", async () => {
  const host = fakeHost({ files: { "/proc/sys/user/max_user_namespaces": "0\n" } });
  const userns = (await runChecks(host)).find((check) => check.id === "userns");
  assert.ok(userns, "no userns check");
  assert.equal(userns.status, "error");
  assert.match(userns.detail, /user\.max_user_namespaces/);
  assert.match(userns.fix ?? "", /sysctl -w user\.max_user_namespaces=\d*[1-9]/);
});

Deno.test("runChecks() names kernel.unprivileged_userns_clone for an unprivileged user", async () => {
  const host = fakeHost({
    uid: 1000,
    files: { "/proc/sys/kernel/unprivileged_userns_clone": "0\n" },
  });
  const userns = (await runChecks(host)).find((check) => check.id === "userns");
  assert.equal(userns?.status, "error");
  assert.match(userns?.fix ?? "", /kernel\.unprivileged_userns_clone=1/);
});
