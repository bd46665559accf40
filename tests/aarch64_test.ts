// The aarch64 shim and monitor the npm package ships (cross-compiled by scripts/build_shim.sh),
// run under user-mode emulation: qemu-aarch64 (Debian package qemu-user, installed by
// scripts/provision.sh) with `-L /usr/aarch64-linux-gnu`, the aarch64 libc of the cross
// toolchain; binfmt_misc is not needed. A small C driver (tests/fixtures/arm64_harness.c),
// compiled for aarch64 and for the host, dlopens each shim and runs programs encoded by
// shim/protocol.ts; the monitors get the same configs. Both architectures must give the same
// results. Without namespaces: qemu-user does not emulate clone with CLONE_NEW* flags.
import assert from "node:assert/strict";
import { type Need, repoRoot, requireHost, requireTool, testNeeds } from "./helpers.ts";
import {
  ABI,
  encodeProgram,
  HEADER_SIZE,
  NO_STR,
  Op,
  type Program,
  RunFailure,
  StepFlag,
} from "../shim/protocol.ts";

const repo = repoRoot();
const build = `${repo}/shim/build`;
const QEMU = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"];
const CROSS_CC = "aarch64-linux-gnu-gcc";
const ENOENT = 2;
const EINVAL = 22;
const EPROTO = 71;
// A child whose setup step failed exits with this code (shim/src/steps.c).
const STEP_FAILED_EXIT = 125;

/**
 * What every test here needs: an x86_64 host (its files are the reference; an aarch64 host builds
 * no x86_64 ones: by design, skipped even in CI), qemu-user and the cross compiler.
 */
const NEEDS: Need[] = [
  requireHost(Deno.build.arch === "x86_64", "not an x86_64 host, whose files are the reference"),
  requireTool("qemu-aarch64", "qemu-user"),
  requireTool(CROSS_CC, "gcc-aarch64-linux-gnu"),
];

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

/** The Debian package of each tool this file runs. */
const PACKAGES: Record<string, string> = {
  "qemu-aarch64": "qemu-user",
  [CROSS_CC]: "gcc-aarch64-linux-gnu",
  cc: "gcc",
};

async function run(cmd: string[], options: { cwd?: string } = {}): Promise<Output> {
  try {
    const out = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (err) {
    const pkg = PACKAGES[cmd[0]];
    const hint = pkg
      ? ` (install the Debian package ${pkg}: bash scripts/provision.sh as root)`
      : "";
    throw new Error(`Cannot run '${cmd[0]}': ${(err as Error).message}${hint}`, { cause: err });
  }
}

interface Arch {
  name: "aarch64" | "x86_64";
  /** Prefix of every command that runs a binary of this architecture. */
  runner: string[];
  shim: string;
  monitor: string;
  harness: string;
}

const work = Deno.makeTempDirSync({ prefix: "nook-aarch64-test-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(work, { recursive: true });
  } catch { /* already gone */ }
});

let arches: Promise<Arch[]> | undefined;

/** Both architectures' files, checked, with the harness compiled for each (once). */
function setup(): Promise<Arch[]> {
  arches ??= (async () => {
    for (
      const file of [
        "libnook_shim-aarch64.so",
        "nook-monitor-aarch64",
        "libnook_shim-x86_64.so",
        "nook-monitor-x86_64",
      ]
    ) {
      try {
        Deno.statSync(`${build}/${file}`);
      } catch {
        throw new Error(
          `${build}/${file} is missing: install gcc-aarch64-linux-gnu (bash scripts/provision.sh as root), then run sh scripts/build_shim.sh`,
        );
      }
    }
    const version = await run([QEMU[0], "--version"]);
    assert.equal(version.code, 0, version.stderr);
    const list: Arch[] = [];
    for (const [name, cc, runner] of [["aarch64", CROSS_CC, QEMU], ["x86_64", "cc", []]] as const) {
      const harness = `${work}/arm64_harness-${name}`;
      const out = await run([
        cc,
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-D_GNU_SOURCE",
        `-I${repo}/shim/src`,
        "-o",
        harness,
        `${repo}/tests/fixtures/arm64_harness.c`,
        "-ldl",
      ]);
      assert.equal(out.code, 0, `${cc} failed on arm64_harness.c: ${out.stderr}`);
      list.push({
        name,
        runner: [...runner],
        shim: `${build}/libnook_shim-${name}.so`,
        monitor: `${build}/nook-monitor-${name}`,
        harness,
      });
    }
    return list;
  })();
  return arches;
}

/** Writes each program into `dir` (named by its key); returns the paths in order. */
function writePrograms(dir: string, programs: Record<string, Uint8Array>): string[] {
  Deno.mkdirSync(dir, { recursive: true });
  return Object.entries(programs).map(([name, bytes]) => {
    Deno.writeFileSync(`${dir}/${name}`, bytes);
    return `${dir}/${name}`;
  });
}

/** Runs `programs` through `nook_spawn` on both architectures: each must print `want`. */
async function spawnsAlike(programs: string[], want: string): Promise<void> {
  for (const arch of await setup()) {
    const out = await harness(arch, ["spawn", ...programs]);
    assert.equal(out.code, 0, `${arch.name}: ${out.stderr}`);
    assert.equal(out.stdout, want, arch.name);
  }
}

/** Runs the harness of `arch` on its shim. */
function harness(arch: Arch, args: string[]): Promise<Output> {
  return run([...arch.runner, arch.harness, arch.shim, String(ABI), ...args]);
}

const exec = (argv: string[], env: string[] = [], path: string | null = null) => ({
  op: Op.EXEC,
  n: [argv.length, env.length] as [number, number],
  s: [argv[0], path, argv, env],
});

testNeeds(NEEDS, {
  name:
    "aarch64 shim: under qemu it has the protocol's ABI and refuses malformed programs as on x86_64",
  async fn() {
    const good = encodeProgram({ cloneFlags: 0, steps: [exec(["/bin/true"])] });
    const patched = (at: number, value: number) => {
      const bytes = good.slice();
      new DataView(bytes.buffer).setUint32(at, value, true);
      return bytes;
    };
    const programs = writePrograms(`${work}/malformed`, {
      "bad-magic": patched(0, 0x12345678),
      "other-abi": patched(4, ABI + 1),
      "truncated": good.subarray(0, good.length - 1),
      "unknown-op": patched(HEADER_SIZE, 99), // the first step's op
      "exec-without-file": patched(HEADER_SIZE + 24, NO_STR), // its s[0]
    });
    const want = [
      `abi ${ABI}`,
      `spawn bad-magic -${EPROTO}`,
      `spawn other-abi -${EPROTO}`,
      `spawn truncated -${EINVAL}`,
      `spawn unknown-op -${EINVAL}`,
      `spawn exec-without-file -${EINVAL}`,
      "",
    ].join("\n");
    await spawnsAlike(programs, want);
    // A shim whose ABI is not the protocol's is refused by the harness itself.
    const [aarch64] = await setup();
    const wrong = await run([
      ...aarch64.runner,
      aarch64.harness,
      aarch64.shim,
      String(ABI + 1),
      "spawn",
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`has ABI ${ABI}, the protocol expects ${ABI + 1}`));
  },
});

/** Programs that need no namespace: what a child does, and how a failing step is reported. */
function childPrograms(): Record<string, Program> {
  const script = 'echo "child $GREETING $(pwd)"; exit 3';
  return {
    // PATH search (the first directory lacks sh), CHDIR, the environment, the exit status.
    "exec": {
      cloneFlags: 0,
      steps: [
        { op: Op.OPEN_FD, n: [0, 0], s: ["/dev/null"] },
        { op: Op.CHDIR, s: ["/"] },
        exec(["sh", "-c", script], ["GREETING=hello"], "/nonexistent:/bin"),
      ],
    },
    "chdir-fails": {
      cloneFlags: 0,
      steps: [{ op: Op.CHDIR, s: ["/nonexistent"] }, exec(["/bin/true"])],
    },
    "optional-step": {
      cloneFlags: 0,
      steps: [
        { op: Op.CHDIR, flags: StepFlag.OPTIONAL, s: ["/nonexistent"] },
        exec(["/bin/sh", "-c", "exit 0"]),
      ],
    },
    "helper-fails": {
      cloneFlags: 0,
      steps: [
        { op: Op.RUN, n: [3, 0], s: ["/bin/sh", null, ["/bin/sh", "-c", "exit 5"], []] },
        exec(["/bin/true"]),
      ],
    },
    "exec-missing": { cloneFlags: 0, steps: [exec(["/nonexistent/program"])] },
    "setup-only": { cloneFlags: 0, steps: [{ op: Op.CHDIR, s: ["/"] }] },
  };
}

testNeeds(NEEDS, {
  name:
    "aarch64 shim: under qemu a child runs its steps and a failing step is reported as on x86_64",
  async fn() {
    const programs = writePrograms(
      `${work}/children`,
      Object.fromEntries(Object.entries(childPrograms()).map(([k, p]) => [k, encodeProgram(p)])),
    );
    const want = [
      `abi ${ABI}`,
      "child hello /",
      "release exec 0 0 0 0",
      "exit exec 3",
      `release chdir-fails 1 0 ${ENOENT} ${Op.CHDIR}`,
      `exit chdir-fails ${STEP_FAILED_EXIT}`,
      "release optional-step 0 0 0 0",
      "exit optional-step 0",
      `release helper-fails 1 0 ${RunFailure.EXITED + 5} ${Op.RUN}`,
      `exit helper-fails ${STEP_FAILED_EXIT}`,
      `release exec-missing 1 0 ${ENOENT} ${Op.EXEC}`,
      `exit exec-missing ${STEP_FAILED_EXIT}`,
      "release setup-only 0 0 0 0",
      "exit setup-only 0",
      "",
    ].join("\n");
    await spawnsAlike(programs, want);
  },
});

testNeeds(NEEDS, {
  name:
    "aarch64 shim: under qemu nook_run_helper returns a helper's exit code and stderr as on x86_64",
  async fn() {
    for (const arch of await setup()) {
      const failed = await harness(arch, [
        "helper",
        "/bin/sh",
        "-c",
        "echo out; echo no such range >&2; exit 4",
      ]);
      assert.equal(failed.code, 0, `${arch.name}: ${failed.stderr}`);
      assert.equal(failed.stdout, `abi ${ABI}\nhelper exit 4 no such range\n`, arch.name);
      // A helper that cannot be executed: glibc's posix_spawn reports the exec error through
      // the memory a CLONE_VM|CLONE_VFORK child shares with its parent, but qemu-user runs
      // vfork as a plain fork, so under emulation the parent sees the child's exit 127 instead.
      // Only the host can show the real result.
      if (arch.name === "aarch64") continue;
      const missing = await harness(arch, ["helper", "/nonexistent/newuidmap"]);
      assert.equal(missing.stdout, `abi ${ABI}\nhelper -${ENOENT}\n`, arch.name);
    }
  },
});

testNeeds(NEEDS, {
  name: "aarch64 monitor: under qemu it refuses bad configs with the same reports as on x86_64",
  async fn() {
    const dir = `${work}/configs`;
    Deno.mkdirSync(dir, { recursive: true });
    const configs: Record<string, [string, string]> = {
      "unknown-key": ["id\tc1\nbogus\t1\n", "fail other unknown config key 'bogus'"],
      "bad-restart": [
        "id\tc1\nrestart\tsometimes\t3\n",
        "fail other bad restart policy 'sometimes'",
      ],
      "bad-userns": ["userns\tshared\n", "fail other bad userns 'shared': new or join"],
      "incomplete": [
        "id\tc1\nlog\t/dev/null\n",
        `fail other config ${dir}/incomplete lacks id, program, state or log`,
      ],
      "no-value": ["id\n", "fail other bad config line 'id'"],
      "missing": ["", `fail other cannot read ${dir}/missing: No such file or directory`],
    };
    for (const [name, [text]] of Object.entries(configs)) {
      if (name !== "missing") Deno.writeTextFileSync(`${dir}/${name}`, text);
    }
    for (const arch of await setup()) {
      const usage = await run([...arch.runner, arch.monitor]);
      assert.equal(usage.code, 2, arch.name);
      assert.equal(
        usage.stderr,
        "usage: nook-monitor CONFIG (started by nook, not by hand)\n",
        arch.name,
      );
      for (const [name, [, report]] of Object.entries(configs)) {
        // The first process exits 0 at once; the detached one reports on the same stdout.
        const out = await run([...arch.runner, arch.monitor, `${dir}/${name}`]);
        assert.equal(out.code, 0, `${arch.name} ${name}: ${out.stderr}`);
        assert.equal(out.stdout, `${report}\n`, `${arch.name} ${name}`);
      }
    }
  },
});

/** Waits (at most 30 s) until the monitor's state file says "exited"; returns its fields. */
async function exitedState(path: string): Promise<Map<string, string>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    let text = "";
    try {
      text = Deno.readTextFileSync(path);
    } catch { /* not written yet */ }
    const state = new Map(
      text.trim().split("\n").map((l) => [l.split(" ")[0], l.slice(l.indexOf(" ") + 1)]),
    );
    if (state.get("status") === "exited") return state;
    if (Date.now() > deadline) {
      const monitor = Number(state.get("monitor"));
      if (monitor > 0) {
        try {
          Deno.kill(monitor, "SIGKILL");
        } catch { /* gone */ }
      }
      throw new Error(
        `${path} still says ${JSON.stringify(text)} after 30 s: the monitor did not finish`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

testNeeds(NEEDS, {
  name:
    "aarch64 monitor: under qemu it runs a container, logs it, restarts it and records its exit as on x86_64",
  async fn() {
    const programs = childPrograms();
    const [execProgram, chdirFails] = writePrograms(`${work}/monitor-programs`, {
      "exec": encodeProgram(programs["exec"]),
      "chdir-fails": encodeProgram(programs["chdir-fails"]),
    });
    const logs: string[] = [];
    for (const arch of await setup()) {
      const dir = `${work}/monitor-${arch.name}`;
      Deno.mkdirSync(dir);
      const config = (program: string, extra = "") =>
        `id\tc-${arch.name}\nprogram\t${program}\nstate\t${dir}/state\nlog\t${dir}/log\n${extra}`;

      Deno.writeTextFileSync(`${dir}/fails.conf`, config(chdirFails));
      const fails = await run([...arch.runner, arch.monitor, `${dir}/fails.conf`]);
      assert.equal(fails.code, 0, `${arch.name}: ${fails.stderr}`);
      assert.equal(fails.stdout, `fail step 0 ${Op.CHDIR} ${ENOENT}\n`, arch.name);

      Deno.writeTextFileSync(`${dir}/runs.conf`, config(execProgram, "restart\ton-failure\t1\n"));
      const runs = await run([...arch.runner, arch.monitor, `${dir}/runs.conf`]);
      assert.equal(runs.code, 0, `${arch.name}: ${runs.stderr}`);
      assert.match(runs.stdout, /^ok \d+ \d+\n$/, arch.name);
      const state = await exitedState(`${dir}/state`);
      assert.equal(state.get("exit-code"), "3", arch.name);
      assert.equal(state.get("restarts"), "1", arch.name);
      const log = Deno.readTextFileSync(`${dir}/log`);
      // k8s-file lines: TIME STREAM F|P TEXT; the time differs between the runs.
      const lines = log.trimEnd().split("\n").map((line) => line.replace(/^\S+Z /, ""));
      assert.deepEqual(lines, ["stdout F child hello /", "stdout F child hello /"], arch.name);
      logs.push(lines.join("\n"));
    }
    assert.equal(logs[0], logs[1]);
  },
});
