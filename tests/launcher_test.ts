// bin/nook runs the bundled CLI from dist/ (made by `deno task build`) and
// behaves exactly as `deno run -A cli/main.ts`.
import assert from "node:assert/strict";
import { busyboxRootfs, repoRoot } from "./helpers.ts";

async function launch(args: string[], env?: Record<string, string>) {
  const out = await new Deno.Command(`${repoRoot()}/bin/nook`, { args, stdin: "null", env })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("bin/nook runs the bundle from dist/", () => {
  assert.ok(
    Deno.statSync(`${repoRoot()}/dist/main.js`).isFile,
    "deno task build makes dist/main.js",
  );
});

Deno.test("bin/nook --version and run behave as the sources do", async () => {
  const version = await launch(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^nook version \d+\.\d+\.\d+\nruntime: deno /);
  const rootfs = await busyboxRootfs();
  const r = await launch([
    "run",
    "--rm",
    "--rootfs",
    rootfs,
    "sh",
    "-c",
    "echo $$ $(id -u); exit 9",
  ]);
  assert.equal(r.code, 9, r.stderr);
  assert.equal(r.stdout, "1 0\n");
  const bad = await launch(["run", "--rootfs", rootfs, "nosuchcmd"]);
  assert.equal(bad.code, 127);
  assert.match(bad.stderr, /^nook: exec: "nosuchcmd": executable file not found in \$PATH\n$/);
});

Deno.test("bin/nook starts dist/main.js with the V8 flags nook's own starts of it give", async () => {
  const { BUNDLE_V8_FLAGS } = await import("../cli/report.ts");
  const launcher = Deno.readTextFileSync(`${repoRoot()}/bin/nook`);
  const line = launcher.split("\n").find((l) => /exec .*dist\/main\.js/.test(l));
  assert.ok(line, "bin/nook execs dist/main.js");
  assert.ok(line.includes(` ${BUNDLE_V8_FLAGS.join(" ")} `), line);
  // And the bundle's own starts of itself (cli/main.ts) give them.
  const bundle = Deno.readTextFileSync(`${repoRoot()}/dist/main.js`);
  for (const flag of BUNDLE_V8_FLAGS) assert.ok(bundle.includes(JSON.stringify(flag)), flag);
});

Deno.test("bin/nook runs small commands from their single-file bundles, with the same behaviour", async () => {
  assert.ok(
    Deno.statSync(`${repoRoot()}/dist/cmd/exec.js`).isFile,
    "deno task build makes dist/cmd/exec.js",
  );
  const store = Deno.makeTempDirSync({ prefix: "nook-launcher-test-" });
  const env = { NOOK_ROOT: store };
  const run = async (args: string[]) => {
    const out = await new Deno.Command(`${repoRoot()}/bin/nook`, { args, env, stdin: "null" })
      .output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  };
  try {
    const rootfs = await busyboxRootfs();
    const id = (await run(["run", "-d", "--name", "bundled", "--rootfs", rootfs, "sleep", "30"]))
      .stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const exec = await run(["exec", "bundled", "sh", "-c", "echo $$; exit 4"]);
    assert.equal(exec.code, 4, exec.stderr);
    assert.match(exec.stdout, /^\d+\n$/);
    const ps = await run(["ps", "--format", "{{.Names}} {{.State}}"]);
    assert.equal(ps.stdout, "bundled running\n");
    const missing = await run(["exec", "nosuch", "true"]);
    assert.equal(missing.code, 125);
    assert.equal(missing.stderr, "nook: No such container: nosuch\n");
    assert.equal((await run(["rm", "-f", "bundled"])).code, 0);
    assert.equal((await run(["ps", "-aq"])).stdout, "");
  } finally {
    Deno.removeSync(store, { recursive: true });
  }
});

/** The files Deno loads to start `file` before any lazy import: its static imports, transitively. */
function staticClosure(dir: string, file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = Deno.readTextFileSync(`${dir}/${file}`);
  for (const m of text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gms)) {
    if (m[1].startsWith("./")) staticClosure(dir, m[1].slice(2), seen);
    else seen.add(m[1]);
  }
  for (const m of text.matchAll(/^import\s*"([^"]+)"/gm)) {
    if (m[1].startsWith("./")) staticClosure(dir, m[1].slice(2), seen);
    else seen.add(m[1]);
  }
  return seen;
}

Deno.test("nook --version and run load no node: built-in under Deno (the first costs ~10 ms of start-up)", () => {
  const dist = `${repoRoot()}/dist`;
  const main = staticClosure(dist, "main.js");
  assert.ok(main.size > 1, "main.js imports its chunks");
  assert.deepEqual([...main].filter((m) => m.startsWith("node:")), [], "dist/main.js");
  const run = Deno.readTextFileSync(`${dist}/main.js`).match(
    /\brun: \{[^}]*import\(new URL\("\.\/([^"]+)"/,
  );
  assert.ok(run, "dist/main.js names the run command's chunk");
  const runPath = staticClosure(dist, run[1]);
  assert.deepEqual([...runPath].filter((m) => m.startsWith("node:")), [], run[1]);
});

Deno.test("run loads no cgroup code up front: a run without limits makes no cgroup", () => {
  const dist = `${repoRoot()}/dist`;
  const run = Deno.readTextFileSync(`${dist}/main.js`).match(
    /\brun: \{[^}]*import\(new URL\("\.\/([^"]+)"/,
  );
  assert.ok(run, "dist/main.js names the run command's chunk");
  // esbuild heads each module's code in a chunk with a comment naming its source.
  const sources = [...staticClosure(dist, run[1])].filter((f) => f.endsWith(".js")).flatMap((f) =>
    [...Deno.readTextFileSync(`${dist}/${f}`).matchAll(/^\/\/ (\S+\.ts)$/gm)].map((m) => m[1])
  );
  assert.ok(sources.includes("lib/runtime/run_container.ts"), sources.join(" "));
  const unwanted = [
    "lib/cgroups/make_container_cgroup.ts",
    "lib/cgroups/cgroup_placement.ts",
    "lib/host/detect_cgroups.ts",
    "lib/cgroups/cgroup_stats.ts",
    "lib/cgroups/kill_all.ts",
  ];
  assert.deepEqual(sources.filter((s) => unwanted.includes(s)), []);
});

Deno.test("NOOK_TRACE=1 marks a run's phases on stderr, in order; without it nothing is printed", async () => {
  const rootfs = await busyboxRootfs();
  const args = ["run", "--rm", "--rootfs", rootfs, "true"];
  const quiet = await launch(args, { NOOK_TRACE: "" });
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stderr, "");
  const traced = await launch(args, { NOOK_TRACE: "1" });
  assert.equal(traced.code, 0, traced.stderr);
  const marks = traced.stderr.trimEnd().split("\n").map((line) => {
    const m = /^nook trace: (\d+\.\d) ms (.+)$/.exec(line);
    assert.ok(m, `not a trace line: ${JSON.stringify(line)}`);
    return { ms: Number(m[1]), label: m[2] };
  });
  const labels = marks.map((m) => m.label);
  for (const label of ["main", "run loaded", "cloned", "id maps written", "reaped", "cleaned up"]) {
    assert.ok(labels.includes(label), `no '${label}' mark in ${JSON.stringify(labels)}`);
  }
  assert.ok(labels.indexOf("main") < labels.indexOf("cloned"));
  assert.ok(labels.indexOf("cloned") < labels.indexOf("reaped"));
  for (let i = 1; i < marks.length; i++) assert.ok(marks[i].ms >= marks[i - 1].ms, labels[i]);
});
