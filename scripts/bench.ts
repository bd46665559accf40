/**
 * nook's benchmarks, side by side with its peers in one run, reported as
 * medians and ratios (never as pass/fail thresholds).
 *
 * Today: the start-to-exit latency of `nook run --rm --rootfs DIR /bin/true`
 * (through bin/nook, the bundled CLI, and through the sources) against `bwrap`
 * and `ch-run` (charliecloud) on the same busybox rootfs, and Deno's own
 * start-up for scale.
 *
 * Usage: deno task bench [--runs N]
 * As root it provisions the unprivileged user `nooktest` (scripts/provision.sh
 * --bench), copies the tree where that user can read it and runs itself as
 * that user: the numbers are rootless numbers.
 *
 * @module
 */
import { makeBusyboxRootfs } from "./busybox_rootfs.ts";

const repo = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const deno = Deno.execPath();

async function sh(cmd: string, args: string[], inherit = true): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: inherit ? "inherit" : "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`'${cmd} ${args.join(" ")}' failed with exit code ${out.code}`);
  return inherit ? "" : new TextDecoder().decode(out.stdout);
}

/** Whether `tool` is a file in one of `dirs` (default: the PATH). */
function have(tool: string, dirs = Deno.env.get("PATH") ?? ""): boolean {
  return dirs.split(":").some((d) => {
    try {
      return Deno.statSync(d ? `${d}/${tool}` : tool).isFile;
    } catch {
      return false;
    }
  });
}

async function asTestUser(): Promise<never> {
  await sh("bash", [`${repo}/scripts/provision.sh`, "--bench"]);
  const dest = "/var/tmp/nook-bench/src";
  await sh("sh", [
    "-c",
    `rm -rf ${dest} && mkdir -p ${dest} && tar -C "$0" --exclude=.git -cf - . | tar -C ${dest} -xf - && chmod -R a+rX /var/tmp/nook-bench`,
    repo,
  ]);
  const uid = (await sh("id", ["-u", "nooktest"], false)).trim();
  const out = await new Deno.Command("runuser", {
    stdout: "inherit",
    stderr: "inherit",
    args: [
      "-u",
      "nooktest",
      "--",
      "env",
      "-i",
      "HOME=/home/nooktest",
      "USER=nooktest",
      "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
      `XDG_RUNTIME_DIR=/run/user/${uid}`,
      `${dest}/node_modules/.bin/deno`,
      "run",
      "-A",
      `${dest}/scripts/bench.ts`,
      ...Deno.args,
    ],
  }).output(); // deno-fmt-ignore
  Deno.exit(out.code);
}

interface Result {
  command: string;
  median: number;
  mean: number;
  stddev: number;
}

async function hyperfine(
  commands: Record<string, string>,
  runs: number,
): Promise<Map<string, Result>> {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const args = [
      "-N",
      "--warmup",
      "5",
      "--runs",
      String(runs),
      "--export-json",
      json,
      "--style",
      "basic",
    ];
    for (const [name, cmd] of Object.entries(commands)) args.push("-n", name, cmd);
    await sh("hyperfine", args);
    const data = JSON.parse(Deno.readTextFileSync(json)) as { results: Result[] };
    return new Map(data.results.map((r) => [r.command, r]));
  } finally {
    Deno.removeSync(json);
  }
}

function table(results: Map<string, Result>, base: string): string {
  const rows = [["TOOL", "MEDIAN", "MEAN ± SD", `RATIO TO ${base.toUpperCase()}`]];
  const ref = results.get(base)?.median ?? NaN;
  for (const [name, r] of results) {
    rows.push([
      name,
      `${(r.median * 1000).toFixed(1)} ms`,
      `${(r.mean * 1000).toFixed(1)} ± ${(r.stddev * 1000).toFixed(1)} ms`,
      `${(r.median / ref).toFixed(2)}x`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}

async function main(): Promise<void> {
  if (Deno.uid() === 0) await asTestUser();
  const runsAt = Deno.args.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(Deno.args[runsAt + 1]) : 50;
  if (!have("hyperfine")) throw new Error("hyperfine is missing: sudo apt-get install hyperfine");
  const rootfs = await Deno.makeTempDir({ prefix: "nook-bench-rootfs-" });
  const empty = `${rootfs}/../nook-bench-empty-${Deno.pid}.js`;
  try {
    await makeBusyboxRootfs(rootfs);
    Deno.writeTextFileSync(empty, "");
    const commands: Record<string, string> = {
      nook: `${repo}/bin/nook run --rm --rootfs ${rootfs} /bin/true`,
      "nook (deno run cli/main.ts)":
        `${deno} run -A ${repo}/cli/main.ts run --rm --rootfs ${rootfs} /bin/true`,
    };
    if (have("bwrap")) {
      commands.bwrap =
        `bwrap --unshare-all --die-with-parent --bind ${rootfs} / --proc /proc --dev /dev /bin/true`;
    }
    if (have("ch-run")) commands["ch-run"] = `ch-run ${rootfs} -- /bin/true`;
    commands["deno (empty script)"] = `${deno} run -A ${empty}`;
    if (!have("dist/main.js", repo)) {
      throw new Error("dist/ is missing: run 'deno task build' first");
    }
    // One untimed run first: warms Deno's module cache and writes nook's one-time markers.
    await sh(deno, [
      "run",
      "-A",
      `${repo}/cli/main.ts`,
      "run",
      "--rm",
      "--rootfs",
      rootfs,
      "/bin/true",
    ]);
    const results = await hyperfine(commands, runs);
    console.log(
      `\nnook run --rm --rootfs DIR /bin/true, ${runs} runs each (target: nook median < 30 ms)\n`,
    );
    console.log(table(results, "nook"));
    const nook = results.get("nook")!.median;
    for (const peer of ["bwrap", "ch-run"]) {
      const r = results.get(peer);
      if (r) console.log(`nook / ${peer}: ${(nook / r.median).toFixed(1)}x`);
    }
  } finally {
    Deno.removeSync(rootfs, { recursive: true });
    try {
      Deno.removeSync(empty);
    } catch {
      // not written
    }
  }
}

await main();
