// shim/monitor/monitor_protocol.h and lib/monitor/monitor_protocol.ts describe the texts the
// monitor shares with nook (its config, its report, its state file): they must agree, the
// monitor's C files must take every such word from the header, and the real monitor must read
// what the module encodes and write what it decodes. Without namespaces (programs with no
// CLONE_NEW* flags), so it runs as any user.
import assert from "node:assert/strict";
import { monitorPath } from "../shim/binding.ts";
import { encodeProgram, Op, type Program } from "../shim/protocol.ts";
import * as M from "../lib/monitor/monitor_protocol.ts";
import { repoRoot } from "./helpers.ts";

const repo = repoRoot();
const header = Deno.readTextFileSync(`${repo}/shim/monitor/monitor_protocol.h`);

type Value = string | number | readonly string[];

/** The header's MON_* defines: name (without MON_) -> value (a string, char, or number). */
function defines(text: string): Map<string, string | number> {
  const out = new Map<string, string | number>();
  for (const m of text.matchAll(/^#define\s+MON_(\w+)\s+("(?:[^"\\]|\\.)*"|'.'|\d+)/gm)) {
    const raw = m[2];
    out.set(m[1], /^\d/.test(raw) ? Number(raw) : raw.slice(1, -1));
  }
  return out;
}

/** Each header prefix and the module's object with the same names. */
function groups(mod: typeof M): [string, Record<string, Value>][] {
  return [
    ["KEY_", mod.ConfigKey],
    ["RESTART_", mod.RestartPolicy],
    ["USERNS_", mod.UsernsMode],
    ["REPORT_", mod.Report],
    ["FAIL_", mod.FailKind],
    ["NET_", mod.NetFailKind],
    ["FIELDS_", mod.ReportFields],
    ["STATE_", mod.StateKey],
    ["STATUS_", mod.Status],
    ["EVENT_", mod.EventWord],
  ];
}

/** The defines that stand alone, and the module's constant for each. */
function singles(mod: typeof M): Record<string, Value> {
  return {
    NONE: mod.NONE,
    MAP_NEWLINE: mod.MAP_NEWLINE,
    MAX_ARGS: mod.MAX_ARGS,
    MAX_REQUESTS: mod.MAX_REQUESTS,
    STOP_RESTART: mod.STOP_RESTART,
    ANCHOR_NAME: mod.ANCHOR_NAME,
  };
}

/** Where a header and a module disagree, in words (none: they agree). */
function mismatches(text: string, mod: typeof M): string[] {
  const c = defines(text);
  const problems: string[] = [];
  const seen = new Set<string>();
  const compare = (cName: string, ts: Value | undefined, tsName: string) => {
    seen.add(cName);
    const cValue = c.get(cName);
    const want = Array.isArray(ts) ? ts.join(" ") : ts;
    if (cValue === undefined) problems.push(`${tsName} has no MON_${cName} in the header`);
    else if (ts === undefined) problems.push(`MON_${cName} has no ${tsName} in the module`);
    else if (cValue !== want) {
      problems.push(`MON_${cName} is ${JSON.stringify(cValue)}, ${tsName} ${JSON.stringify(want)}`);
    }
  };
  for (const [prefix, object] of groups(mod)) {
    const names = new Set([
      ...Object.keys(object),
      ...[...c.keys()].filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)),
    ]);
    for (const name of names) compare(prefix + name, object[name], `${prefix}*.${name}`);
  }
  for (const [name, value] of Object.entries(singles(mod))) compare(name, value, name);
  for (const name of c.keys()) {
    if (!seen.has(name)) problems.push(`MON_${name} is in no group this test compares`);
  }
  return problems;
}

Deno.test("monitor_protocol.ts names every define of monitor_protocol.h, with its value", () => {
  assert.deepEqual(mismatches(header, M), []);
});

Deno.test("the agreement check fails when either side adds or renames a key or kind", () => {
  const added = header.replace(
    "#define MON_KEY_ID",
    '#define MON_KEY_COLOR "color"\n#define MON_KEY_ID',
  );
  assert.deepEqual(mismatches(added, M), [
    "MON_KEY_COLOR has no KEY_*.COLOR in the module",
  ]);
  const renamed = header.replace('MON_KEY_STOP_MARKER "stop-marker"', 'MON_KEY_STOP "stop"');
  assert.deepEqual(mismatches(renamed, M), [
    "KEY_*.STOP_MARKER has no MON_KEY_STOP_MARKER in the header",
    "MON_KEY_STOP has no KEY_*.STOP in the module",
  ]);
  const respelled = header.replace('MON_FAIL_CLONE "clone"', 'MON_FAIL_CLONE "spawn"');
  assert.deepEqual(mismatches(respelled, M), [
    'MON_FAIL_CLONE is "spawn", FAIL_*.CLONE "clone"',
  ]);
  const tsAdded = { ...M, StateKey: { ...M.StateKey, PAUSED: "paused" } } as typeof M;
  assert.deepEqual(mismatches(header, tsAdded), [
    "STATE_*.PAUSED has no MON_STATE_PAUSED in the header",
  ]);
  const tsFields = { ...M, ReportFields: { ...M.ReportFields, STEP: ["step", "errno"] } };
  assert.deepEqual(mismatches(header, tsFields as unknown as typeof M), [
    'MON_FIELDS_STEP is "step op errno", FIELDS_*.STEP "step errno"',
  ]);
  const newGroup = header.replace("#endif", '#define MON_SIGNAL_STOP "stop"\n#endif');
  assert.deepEqual(mismatches(newGroup, M), ["MON_SIGNAL_STOP is in no group this test compares"]);
});

/** The string literals of a C file, comments left out. */
function literals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "")
    .replace(/^#include.*$/gm, "");
  return [...code.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
}

// Bare words the monitor's C files may spell: kernel and log words, not the protocol's.
const NOT_PROTOCOL = new Set([
  "stdout",
  "stderr",
  "setgroups",
  "deny",
  "uid_map",
  "gid_map",
  "nook-monitor",
  "start",
]);

/** The literals of SOURCE that spell a word of the protocol instead of naming its define. */
function spelledWords(source: string): string[] {
  // Words a text starts with ("step %d"): keys and kinds (values such as "no" are English too).
  const leading = [
    ...Object.values(M.ConfigKey),
    ...Object.values(M.Report),
    ...Object.values(M.FailKind),
    ...Object.values(M.NetFailKind),
    ...Object.values(M.StateKey),
  ];
  const every = new Set<string>([
    ...leading,
    ...Object.values(M.RestartPolicy),
    ...Object.values(M.UsernsMode),
    ...Object.values(M.Status),
    // "start" is English too (NOT_PROTOCOL): the other event words only.
    ...Object.values(M.EventWord).filter((w) => typeof w === "string" && w !== "start"),
    M.NONE,
    M.STOP_RESTART,
  ]);
  return literals(source).filter((text) =>
    every.has(text) ||
    text.split("\\n").some((piece) => leading.some((w) => piece.startsWith(`${w} `))) ||
    (/^[a-z][a-z0-9_-]*$/.test(text) && !NOT_PROTOCOL.has(text))
  );
}

Deno.test("the monitor's C files take every key, kind and status from monitor_protocol.h", () => {
  const dir = `${repo}/shim/monitor`;
  const files = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".c"));
  assert.ok(files.length >= 5, "the monitor's .c files are there");
  for (const { name } of files) {
    assert.deepEqual(spelledWords(Deno.readTextFileSync(`${dir}/${name}`)), [], name);
  }
  // The check finds what it is for.
  assert.deepEqual(
    spelledWords(
      'if (strcmp(key, "id") == 0) x;\nsnprintf(why, n, "step %d %d %d", a, b, c);\n' +
        'p = "pid-start %s\\nrestarts %d\\n"; q = "bogus-key"; /* "log" */',
    ),
    ["id", "step %d %d %d", "pid-start %s\\nrestarts %d\\n", "bogus-key"],
  );
});

interface Run {
  /** The monitor's report line. */
  stdout: string;
  /** The exit code of its first process. */
  code: number;
}

async function runMonitor(config: string): Promise<Run> {
  const out = await new Deno.Command(monitorPath(), {
    args: [config],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { stdout: new TextDecoder().decode(out.stdout), code: out.code };
}

/** Encodes CONFIG into DIR/NAME.conf, runs the real monitor on it, and decodes its report. */
async function reportFor(dir: string, name: string, config: M.MonitorConfig) {
  const path = `${dir}/${name}.conf`;
  Deno.writeTextFileSync(path, M.encodeMonitorConfig(config));
  const run = await runMonitor(path);
  return { ...run, report: M.decodeMonitorReport(run.stdout, run.code) };
}

function writeProgram(dir: string, name: string, program: Program): string {
  const path = `${dir}/${name}.program`;
  Deno.writeFileSync(path, encodeProgram(program));
  return path;
}

const TRUE: Program = {
  cloneFlags: 0,
  steps: [{ op: Op.EXEC, n: [1, 0], s: ["/bin/true", null, ["true"], []] }],
};

/** The config of a container in DIR that runs PROGRAM, no more. */
function base(dir: string, program: string): M.MonitorConfig {
  return {
    id: "c1",
    program,
    state: `${dir}/state`,
    log: `${dir}/log`,
    userns: { mode: "join" },
  };
}

Deno.test("encodeMonitorConfig() writes every key of the header, and the monitor reads them all", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-monitor-protocol-" });
  try {
    const program = writeProgram(dir, "true", TRUE);
    const full: M.MonitorConfig = {
      ...base(dir, program),
      attach: `${dir}/attach.sock`,
      stopMarker: `${dir}/stop`,
      logMaxSize: 4096,
      logMaxFiles: 2,
      restart: { policy: "on-failure", maxRetries: 3 },
      openStdin: true,
      tty: false,
      waitAttach: false,
      userns: {
        mode: "subid",
        newuidmap: "/bin/false",
        newgidmap: "/bin/false",
        uid: [{ inside: 0, outside: 100000, count: 65536 }],
        gid: [{ inside: 0, outside: 100000, count: 65536 }],
      },
      netHelper: {
        argv: ["/nonexistent/helper", "{pid}"],
        log: `${dir}/net.log`,
        api: `${dir}/api.sock`,
        requests: ['{"execute": "list_hostfwd"}'],
      },
      // Its parent is missing: the monitor cannot make it again, after it read the whole config.
      cgroup: `${dir}/missing/cgroup`,
      onExit: ["/bin/true"],
      events: `${dir}/events.jsonl`,
      eventAttributes: '"name":"web"',
    };
    const single: M.MonitorConfig = {
      ...base(dir, program),
      userns: { mode: "single", uid: [{ inside: 0, outside: 1000, count: 1 }], gid: [] },
      cgroup: `${dir}/missing/cgroup`,
    };
    const written = new Set(
      [full, single].flatMap((c) =>
        M.encodeMonitorConfig(c).trimEnd().split("\n").map((l) => l.split("\t")[0])
      ),
    );
    assert.deepEqual([...written].sort(), Object.values(M.ConfigKey).sort());
    for (const [name, config] of Object.entries({ full, single })) {
      const { report, code } = await reportFor(dir, name, config);
      assert.equal(code, 0, name);
      assert.deepEqual(report, { kind: "cgroup", errno: 2 }, name);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("encodeMonitorConfig() refuses what the monitor could not read back", () => {
  const config = base("/tmp", "/tmp/program");
  assert.throws(
    () => M.encodeMonitorConfig({ ...config, log: "/tmp/a\tb" }),
    new RangeError(`The value of 'log' ("/tmp/a\\tb") holds a tab or newline`),
  );
  assert.throws(
    () => M.encodeMonitorConfig({ ...config, onExit: Array(M.MAX_ARGS).fill("x") }),
    new RangeError(
      `'on-exit' has ${M.MAX_ARGS} values: the monitor takes at most ${M.MAX_ARGS - 1}`,
    ),
  );
  // The most values a line may hold, as the monitor sees it: one more is refused.
  const most = M.encodeMonitorConfig({ ...config, onExit: Array(M.MAX_ARGS - 1).fill("x") });
  assert.ok(most.includes(`on-exit\t${Array(M.MAX_ARGS - 1).fill("x").join("\t")}\n`));
});

Deno.test("the monitor refuses a line with more values than MAX_ARGS allows", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-monitor-protocol-" });
  try {
    const program = writeProgram(dir, "true", TRUE);
    const text = M.encodeMonitorConfig({ ...base(dir, program), cgroup: `${dir}/missing/cg` });
    const values = (n: number) => `on-exit\t${Array(n).fill("/bin/true").join("\t")}\n`;
    Deno.writeTextFileSync(`${dir}/most.conf`, text + values(M.MAX_ARGS - 1));
    Deno.writeTextFileSync(`${dir}/over.conf`, text + values(M.MAX_ARGS));
    assert.deepEqual(
      M.decodeMonitorReport((await runMonitor(`${dir}/most.conf`)).stdout),
      { kind: "cgroup", errno: 2 },
    );
    assert.deepEqual(M.decodeMonitorReport((await runMonitor(`${dir}/over.conf`)).stdout), {
      kind: "other",
      text: `more than ${M.MAX_ARGS - 1} values for 'on-exit'`,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** Waits (at most 20 s) until the state file says "exited"; returns its text. */
async function exitedState(path: string): Promise<string> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    let text = "";
    try {
      text = Deno.readTextFileSync(path);
    } catch { /* not written yet */ }
    if (M.parseState(text).status === M.Status.EXITED) return text;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} did not say "exited" within 20 s`);
}

Deno.test("decodeMonitorReport() reads each report the real monitor writes", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-monitor-protocol-" });
  try {
    const truePath = writeProgram(dir, "true", TRUE);
    const chdirFails = writeProgram(dir, "chdir", {
      cloneFlags: 0,
      steps: [{ op: Op.CHDIR, s: ["/nonexistent"] }, ...TRUE.steps],
    });
    const badMagic = `${dir}/bad.program`;
    const bytes = encodeProgram(TRUE);
    bytes[0] ^= 0xff;
    Deno.writeFileSync(badMagic, bytes);

    const missing = await runMonitor(`${dir}/missing.conf`);
    assert.deepEqual(M.decodeMonitorReport(missing.stdout), {
      kind: "other",
      text: `cannot read ${dir}/missing.conf: No such file or directory`,
    });
    assert.deepEqual(
      (await reportFor(dir, "step", base(dir, chdirFails))).report,
      { kind: "step", step: 0, op: Op.CHDIR, errno: 2 },
    );
    assert.deepEqual(
      (await reportFor(dir, "clone", base(dir, badMagic))).report,
      { kind: "clone", errno: 71 }, // EPROTO: nook_spawn refuses the program before it clones
    );
    assert.deepEqual(
      (await reportFor(dir, "map", {
        ...base(dir, truePath),
        userns: {
          mode: "subid",
          newuidmap: "/bin/false",
          newgidmap: "/bin/false",
          uid: [],
          gid: [],
        },
      })).report,
      { kind: "map", text: "'/bin/false' failed: no message" },
    );
    assert.deepEqual(
      (await reportFor(dir, "net", {
        ...base(dir, truePath),
        netHelper: { argv: ["/nonexistent/helper"], log: `${dir}/net.log`, requests: [] },
      })).report,
      { kind: "net", failure: { kind: "spawn", errno: 2 } },
    );

    const ok = await reportFor(dir, "ok", base(dir, truePath));
    assert.equal(ok.report.kind, "ok", ok.stdout);
    if (ok.report.kind !== "ok") return;
    assert.ok(ok.report.pid > 0 && /^\d+$/.test(ok.report.pidStart), ok.stdout);
    // The state file the monitor writes: keys of the header only, read as formatState writes.
    const text = await exitedState(`${dir}/state`);
    const keys = (t: string) => t.trimEnd().split("\n").map((l) => l.split(" ")[0]);
    const stateKeys: readonly string[] = Object.values(M.StateKey);
    assert.deepEqual(keys(text).filter((k) => !stateKeys.includes(k)), [], text);
    const state = M.parseState(text);
    assert.equal(state.pid, ok.report.pid);
    assert.equal(state.pidStart, ok.report.pidStart);
    assert.equal(state.exitCode, 0);
    assert.equal(state.restarts, 0);
    assert.ok(state.monitor > 0 && state.started > 0 && (state.finished ?? 0) >= state.started);
    assert.deepEqual(keys(M.formatState(state)), keys(text));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
