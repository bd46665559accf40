/**
 * End-to-end tests of nook for a user without an /etc/subuid range (run as
 * `nooksingle`): only the user's own uid and gid are mapped, as root inside,
 * and nook says so once.
 *
 * @module
 */
import assert from "node:assert/strict";
import { run } from "../mod.ts";
import {
  busyboxRootfs,
  hasSubidRange,
  hostUid,
  nook,
  type NookOptions,
  type NookResult,
  repoRoot,
} from "./helpers.ts";

if (hasSubidRange()) {
  throw new Error(
    `uid ${hostUid()} has an /etc/subuid range: run tests/single_mapping_test.ts as a user ` +
      "without one (sh scripts/test.sh as root runs it as nooksingle)",
  );
}

const WARNING = /only your own uid and gid are mapped/;

/** `nook run --rootfs <busybox> ...args`. */
async function runCli(args: string[], options?: NookOptions): Promise<NookResult> {
  return nook(["run", "--rootfs", await busyboxRootfs(), ...args], options);
}

/** Runs `nook run` and fails with its output unless it exits 0; returns stdout. */
async function runOk(args: string[]): Promise<string> {
  const result = await runCli(args);
  assert.equal(result.code, 0, `nook run ${args.join(" ")} failed: ${JSON.stringify(result)}`);
  return result.stdout;
}

/** A new private XDG_RUNTIME_DIR (so no one-time marker exists yet). */
async function freshRuntimeHome(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "nook-test-xdg-" });
}

/** The lines of an id map file, as numbers. */
function parseIdMap(text: string): number[][] {
  return text.trim().split("\n").map((line) => line.trim().split(/\s+/).map(Number));
}

Deno.test("run maps only the user's own uid and gid, to 0 inside", async () => {
  const out = await runOk(["sh", "-c", "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map"]);
  const [uidMap, gidMap] = out.split("--\n");
  assert.deepEqual(parseIdMap(uidMap), [[0, hostUid(), 1]]);
  assert.deepEqual(parseIdMap(gidMap), [[0, Deno.gid(), 1]]);
});

Deno.test("run warns about the single mapping on the first run only", async () => {
  const home = await freshRuntimeHome();
  try {
    const env = { XDG_RUNTIME_DIR: home };
    const first = await runCli(["true"], { env });
    assert.equal(first.code, 0, JSON.stringify(first));
    assert.match(first.stderr, WARNING);
    assert.match(first.stderr, /\/etc\/subuid/);
    assert.equal(first.stderr.split("\n").filter((l) => WARNING.test(l)).length, 1);
    assert.ok((await Deno.stat(`${home}/nook/warned-single-mapping`)).isFile);

    const second = await runCli(["true"], { env });
    assert.deepEqual(second, { code: 0, stdout: "", stderr: "" });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("run warns again once the marker in $XDG_RUNTIME_DIR/nook is deleted", async () => {
  const marker = `${Deno.env.get("XDG_RUNTIME_DIR")}/nook/warned-single-mapping`;
  await Deno.remove(marker).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  const first = await runCli(["true"]);
  assert.match(first.stderr, WARNING);
  assert.ok((await Deno.stat(marker)).isFile, `no marker ${marker}`);
  const second = await runCli(["true"]);
  assert.doesNotMatch(second.stderr, WARNING);
});

Deno.test("run() passes the single-mapping warning to onWarning", async () => {
  const home = await freshRuntimeHome();
  const saved = Deno.env.get("XDG_RUNTIME_DIR");
  Deno.env.set("XDG_RUNTIME_DIR", home);
  try {
    const warnings: string[] = [];
    const result = await run({
      rootfs: await busyboxRootfs(),
      command: ["true"],
      stderr: "pipe",
      onWarning: (message) => warnings.push(message),
    });
    assert.equal(result.exitCode, 0);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0], WARNING);
    assert.equal(new TextDecoder().decode(result.stderr), "");
  } finally {
    if (saved === undefined) Deno.env.delete("XDG_RUNTIME_DIR");
    else Deno.env.set("XDG_RUNTIME_DIR", saved);
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("run -u 1000 exits 125 saying only your own id is mapped", async () => {
  const result = await runCli(["-u", "1000", "true"]);
  assert.equal(result.code, 125, JSON.stringify(result));
  assert.match(result.stderr, /uid 1000/);
  assert.match(result.stderr, /only your own id is mapped/);
});

Deno.test("run -u tester exits 125 saying only your own id is mapped", async () => {
  const result = await runCli(["-u", "tester", "true"]);
  assert.equal(result.code, 125, JSON.stringify(result));
  assert.match(result.stderr, /only your own id is mapped/);
});

Deno.test("run -u root runs as uid 0", async () => {
  assert.equal(await runOk(["-u", "root", "id", "-u"]), "0\n");
});

Deno.test("run --userns keep-id runs as the host uid and gid", async () => {
  const out = await runOk([
    "--userns",
    "keep-id",
    "sh",
    "-c",
    "id -u; id -g; cat /proc/self/uid_map",
  ]);
  const [uid, gid, ...map] = out.trim().split("\n");
  assert.equal(uid, String(hostUid()));
  assert.equal(gid, String(Deno.gid()));
  assert.deepEqual(parseIdMap(map.join("\n")), [[hostUid(), hostUid(), 1]]);
});

Deno.test("run isolates PID and UTS namespaces: the command is PID 1 with its own hostname", async () => {
  const out = await runOk(["-h", "single-box", "sh", "-c", "echo $$; hostname; ps -o pid | wc -l"]);
  const [pid, hostname, psLines] = out.trim().split("\n");
  assert.equal(pid, "1");
  assert.equal(hostname, "single-box");
  // ps header, sh, ps (and wc): a handful, not the host's processes.
  assert.ok(Number(psLines) <= 5, `ps shows ${psLines} lines`);
});

Deno.test("run -v writes files the host user owns", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-single-vol-" });
  try {
    const out = await runOk([
      "-v",
      `${dir}:/data`,
      "sh",
      "-c",
      "echo hi > /data/f; stat -c %u /data/f",
    ]);
    assert.equal(out, "0\n");
    assert.equal((await Deno.stat(`${dir}/f`)).uid, hostUid());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run -t gives the container /dev/pts/0 although gid 5 (tty) is not mapped", async () => {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const commandLine = [
    Deno.execPath(),
    "run",
    "-A",
    `${repoRoot()}/cli/main.ts`,
    "run",
    "-t",
    "--rootfs",
    await busyboxRootfs(),
    "sh",
    "-c",
    "tty; grep -c ' /dev/pts devpts ' /proc/mounts; exit 6",
  ].map(quote).join(" ");
  const output = await new Deno.Command("script", {
    args: ["-qec", commandLine, "/dev/null"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  // deno-lint-ignore no-control-regex
  const lines = stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replaceAll("\r", "").split("\n")
    .filter((line) => line !== "" && !WARNING.test(line));
  assert.deepEqual(lines, ["/dev/pts/0", "1"], JSON.stringify(stdout));
  assert.equal(output.code, 6, JSON.stringify(stdout));
});

Deno.test("unshare runs the command as root with the single mapping", async () => {
  const result = await nook(["unshare", "sh", "-c", "id -u; cat /proc/self/uid_map"]);
  assert.equal(result.code, 0, JSON.stringify(result));
  const [uid, ...map] = result.stdout.trim().split("\n");
  assert.equal(uid, "0");
  assert.deepEqual(parseIdMap(map.join("\n")), [[0, hostUid(), 1]]);
});

Deno.test("exec joins a single-mapping container (setgroups denied) as root, refuses -u 1000", async () => {
  const { spawnContainer, waitForOutput } = await import("../lib/runtime/run_container.ts");
  const { execInContainer } = await import("../lib/runtime/exec_process.ts");
  const c = await spawnContainer({
    rootfs: await busyboxRootfs(),
    command: ["sleep", "60"],
    stdout: "null",
    onWarning: () => {},
  });
  try {
    const p = await execInContainer({ pid: c.pid }, {
      command: ["sh", "-c", "id -u; cat /proc/self/uid_map; readlink /proc/self/ns/pid"],
      stdout: "pipe",
    });
    const r = await waitForOutput(p);
    assert.equal(r.exitCode, 0);
    const [uid, map, ns] = new TextDecoder().decode(r.stdout).trim().split("\n");
    assert.equal(uid, "0");
    assert.deepEqual(parseIdMap(map), [[0, hostUid(), 1]]);
    assert.equal(ns, Deno.readLinkSync(`/proc/${c.pid}/ns/pid`));
    const err = await execInContainer({ pid: c.pid }, { command: ["id"], user: "1000" })
      .catch((e) => e);
    assert.match(String(err), /Cannot exec as uid 1000/);
  } finally {
    c.kill("SIGKILL");
    await c.status;
  }
});
