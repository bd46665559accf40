/**
 * nook's benchmarks, side by side with its peers in one run, reported as
 * medians and ratios (never as pass/fail thresholds).
 *
 * Today: the start-to-exit latency of `nook run --rm --rootfs DIR /bin/true`
 * (through bin/nook, the bundled CLI, and through the sources) against `bwrap`
 * and `ch-run` (charliecloud) on the same busybox rootfs, and Deno's own
 * start-up for scale.
 *
 * With `--images` (the default when run as root, which can build the image):
 * pull of a Debian minbase image (debootstrap, ~200 MB, ~7k files; pushed to
 * a local docker-registry with skopeo) and `run --rm IMAGE true`, nook
 * against rootless podman (`--runtime runc`: crun refuses this host's hybrid
 * cgroups).
 *
 * With `--lifecycle`: `run -d` start latency, `exec` latency and the memory
 * of the process that keeps a detached container, nook against rootless
 * podman (conmon).
 *
 * With `--network`: TCP throughput from the host into a container through a
 * published port, and the latency of a connection (connect, one reply), for
 * each user-mode helper installed (pasta, slirp4netns), nook against rootless
 * podman with the same helper handling the port where podman can
 * (`--network slirp4netns:port_handler=slirp4netns`; podman's default
 * rootlessport is shown too; podman before 4.4 has no pasta), and through a
 * user-defined network (nook's: the network's slirp4netns and DNAT; podman's:
 * its own bridge network, where it can make one).
 *
 * With `--forms`: the start-up of each way nook ships, side by side:
 * `nook --version`, `nook run --rm --rootfs DIR /bin/true` and `nook run
 * --rm IMAGE /bin/true` (a busybox image imported into a store of its own) through
 * bin/nook (deno run on the bundles in dist/), dist/node/nook.js on Node and
 * on Bun, and the compiled binaries dist/bin/nook (bun build --compile) and
 * dist/bin/nook-deno (deno compile, when it was built), with ratios to the
 * fastest (target: none above 1.5x).
 *
 * The image comparisons run both tools with `--network none`, so that they
 * time the same work (nook's default for an image is slirp4netns without -p and
 * pasta with -p; podman 4's is slirp4netns). The rootfs section also times `--network pasta`: what a user-
 * mode network would cost each `run --rootfs` (so that default stays `none`).
 *
 * With `--forms --baseline DIR`: the same rows also for DIR/bin/nook, another
 * built checkout (the commit before a change), so that a regression shows in
 * one run.
 *
 * With `--targets` (part of the default run as root): the table of issue 14, one row per
 * work with nook, its peer (rootless podman; bwrap and Deno's empty script for `--rootfs`),
 * the ratio, the target and whether it is met: `run --rm` of the minbase image with
 * `--network none` and with each tool's default network, `exec`, pull + unpack, the memory
 * that keeps an idle detached container (keeper + network helpers), `run --rm --rootfs`, and
 * a PostgreSQL 15 container (an image debootstrapped once as root into
 * /var/tmp/nook-bench/postgres15.tar) from `run -d -p` to the first answered `select 1`.
 *
 * With `--pull`: only the pull + unpack row of the targets (the minbase image, nook against
 * podman), for work on the pull.
 *
 * Usage: deno task bench [--runs N] [--images] [--lifecycle] [--network] [--targets] [--pull]
 *   [--forms [--baseline DIR]]
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
  const minbase = "/var/tmp/nook-bench/minbase.tar";
  try {
    Deno.statSync(minbase);
  } catch {
    // debootstrap needs root; the tar keeps the owners (root and system users).
    await sh("sh", [
      "-c",
      `set -e; d=$(mktemp -d /var/tmp/nook-bench-minbase.XXXX)
      debootstrap --variant=minbase bookworm "$d" http://deb.debian.org/debian >/dev/null
      mkdir -p /var/tmp/nook-bench; tar -C "$d" --numeric-owner -cf ${minbase}.tmp . && mv ${minbase}.tmp ${minbase}
      rm -rf "$d"`,
    ]);
  }
  if (!sectionGiven() || Deno.args.includes("--targets")) await buildPostgresTar();
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
      // --forms alone is quick: it needs no image; --targets and --pull have their own rows.
      ...(["--forms", "--targets", "--pull"].some((f) => Deno.args.includes(f))
        ? []
        : ["--images"]),
      // Without a section: the targets table too.
      ...(sectionGiven() ? [] : ["--targets"]),
      ...Deno.args,
    ],
  }).output();
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
  prepare?: Record<string, string>,
): Promise<Map<string, Result>> {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const args = [
      "-N",
      "--warmup",
      prepare ? "1" : "5",
      "--runs",
      String(runs),
      "--export-json",
      json,
      "--style",
      "basic",
    ];
    if (prepare) {
      for (const name of Object.keys(commands)) args.push("--prepare", prepare[name]);
    }
    for (const [name, cmd] of Object.entries(commands)) args.push("-n", name, cmd);
    await sh("hyperfine", args);
    const data = JSON.parse(Deno.readTextFileSync(json)) as { results: Result[] };
    return new Map(data.results.map((r) => [r.command, r]));
  } finally {
    Deno.removeSync(json);
  }
}

function table(results: Map<string, Result>, base: string, baseLabel = base): string {
  const rows = [["TOOL", "MEDIAN", "MEAN ± SD", `RATIO TO ${baseLabel.toUpperCase()}`]];
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
    if (have("pasta")) {
      commands["nook --network pasta"] =
        `${repo}/bin/nook run --rm --network pasta --rootfs ${rootfs} /bin/true`;
    }
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

/** Start-up of each form nook ships in (deno run, node, bun, compiled binaries). */
async function benchForms(runs: number): Promise<void> {
  const forms: Record<string, string> = {
    "deno (bin/nook)": `${repo}/bin/nook`,
    "node (dist/node/nook.js)": `node ${repo}/dist/node/nook.js`,
    "bun (dist/node/nook.js)": `${repo}/node_modules/.bin/bun ${repo}/dist/node/nook.js`,
    "bun compiled (dist/bin/nook)": `${repo}/dist/bin/nook`,
    "deno compiled (dist/bin/nook-deno)": `${repo}/dist/bin/nook-deno`,
  };
  for (const [name, cmd] of Object.entries(forms)) {
    const file = cmd.split(" ").at(-1)!;
    if (have(file.slice(file.lastIndexOf("/") + 1), file.slice(0, file.lastIndexOf("/")))) continue;
    console.log(
      `forms: leaving out ${name}: ${file} is missing ('deno task build' or 'deno task compile')`,
    );
    delete forms[name];
  }
  if (!have("node")) delete forms["node (dist/node/nook.js)"];
  // --baseline DIR: another checkout's bin/nook (built), e.g. the commit before a change, in the
  // same run, so that a start-up regression shows as a ratio.
  const baselineAt = Deno.args.indexOf("--baseline");
  if (baselineAt >= 0) {
    const dir = Deno.args[baselineAt + 1]?.replace(/\/+$/, "");
    if (!dir || !have("main.js", `${dir}/dist`)) {
      throw new Error(
        `--baseline '${dir ?? ""}': give a checkout of nook built with 'deno task build'`,
      );
    }
    forms[`deno baseline (${dir}/bin/nook)`] = `${dir}/bin/nook`;
  }
  const rootfs = await Deno.makeTempDir({ prefix: "nook-bench-rootfs-" });
  // A store of its own with a busybox image (imported from the rootfs) that every form runs.
  const store = await Deno.makeTempDir({ prefix: "nook-bench-forms-store-" });
  const savedRoot = Deno.env.get("NOOK_ROOT");
  try {
    await makeBusyboxRootfs(rootfs);
    await sh("tar", ["-C", rootfs, "-cf", `${store}/rootfs.tar`, "."]);
    Deno.env.set("NOOK_ROOT", store);
    await sh(
      `${repo}/bin/nook`,
      ["import", `${store}/rootfs.tar`, "localhost/bench-forms:1"],
      false,
    );
    const sections: [string, string][] = [
      ["nook --version", "--version"],
      ["nook run --rm --rootfs DIR /bin/true", `run --rm --rootfs ${rootfs} /bin/true`],
      ["nook run --rm IMAGE /bin/true", "run --rm localhost/bench-forms:1 /bin/true"],
      // Without the default network's pasta (about 75 ms of each run above): the forms' own cost.
      [
        "nook run --rm --network none IMAGE /bin/true",
        "run --rm --network none localhost/bench-forms:1 /bin/true",
      ],
    ];
    for (const [title, args] of sections) {
      const commands = Object.fromEntries(
        Object.entries(forms).map(([name, cmd]) => [name, `${cmd} ${args}`]),
      );
      const results = await hyperfine(commands, runs);
      const fastest = [...results.values()].reduce((a, b) => a.median <= b.median ? a : b);
      console.log(`\n${title}, ${runs} runs each (target: no form above 1.5x the fastest)\n`);
      console.log(table(results, fastest.command, "fastest"));
    }
  } finally {
    if (savedRoot === undefined) Deno.env.delete("NOOK_ROOT");
    else Deno.env.set("NOOK_ROOT", savedRoot);
    Deno.removeSync(rootfs, { recursive: true });
    // The image's files belong to subordinate ids: removed as root of the user namespace.
    await sh(`${repo}/bin/nook`, ["unshare", "rm", "-rf", store]);
  }
}

/**
 * A shell line that removes from podman's store every image the benches pushed as
 * `bench/minbase` (from any run's registry port): one left over shares the layer, and
 * podman's pull would then fetch nothing.
 */
function podmanRmMinbase(podman: string): string {
  return `${podman} images --format "{{.Repository}}:{{.Tag}}" | grep "/bench/minbase:" | ` +
    `xargs -r ${podman} rmi -f >/dev/null 2>&1; true`;
}

/**
 * Pull + unpack of `image` by nook (into `root`) and podman, alternating in one
 * hyperfine run, each store emptied of it before each run.
 */
function timePulls(
  nook: string,
  podman: string,
  root: string,
  image: string,
  runs: number,
): Promise<Map<string, Result>> {
  return hyperfine(
    {
      "nook pull": `${nook} pull -q ${image}`,
      "podman pull": `${podman} pull -q --tls-verify=false ${image}`,
    },
    Math.max(3, Math.min(runs, 8)),
    {
      "nook pull": `${nook} unshare rm -rf ${root}`,
      "podman pull": `sh -c '${podmanRmMinbase(podman)}'`,
    },
  );
}

/** `--pull`: the targets' pull + unpack row alone, nook against rootless podman. */
async function benchPull(runs: number): Promise<void> {
  for (const tool of ["podman", "skopeo", "umoci", "docker-registry"]) {
    if (!have(tool)) {
      throw new Error(`${tool} is missing: run 'deno task bench' as root to provision`);
    }
  }
  const { startRegistry } = await import("../tests/registry_helpers.ts");
  await using registry = await startRegistry();
  const work = await Deno.makeTempDir({ prefix: "nook-bench-pull-" });
  const root = `${work}/nook-root`;
  const nook = `env NOOK_ROOT=${root} ${repo}/bin/nook`;
  const podman = "podman --runtime runc";
  let image = "";
  try {
    Deno.mkdirSync(`${Deno.env.get("HOME")}/.config/containers`, { recursive: true });
    Deno.writeTextFileSync(
      `${Deno.env.get("HOME")}/.config/containers/storage.conf`,
      '[storage]\ndriver = "overlay"\n',
    );
    image = await pushRootfsImage(
      work,
      "/var/tmp/nook-bench/minbase.tar",
      `${registry.host}/bench/minbase:pull`,
      ["--config.cmd", "bash"],
    );
    const pull = await timePulls(nook, podman, root, image, runs);
    console.log(`\nPull + unpack of a Debian minbase image (~200 MB, ~7k files), local registry\n`);
    console.log(table(pull, "podman pull"));
    console.log("(target: nook at most 0.5x podman)");
  } finally {
    if (image) await sh("sh", ["-c", `${podman} rmi -f ${image} >/dev/null 2>&1; true`], false);
    await sh("sh", ["-c", `${nook} unshare rm -rf ${root}`], false).catch(() => "");
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** Pull and run of a Debian minbase image: nook against rootless podman. */
async function benchImages(runs: number): Promise<void> {
  const tar = "/var/tmp/nook-bench/minbase.tar";
  for (const tool of ["podman", "skopeo", "umoci", "docker-registry"]) {
    if (!have(tool)) {
      throw new Error(`${tool} is missing: run 'deno task bench' as root to provision`);
    }
  }
  const { startRegistry } = await import("../tests/registry_helpers.ts");
  await using registry = await startRegistry();
  const work = await Deno.makeTempDir({ prefix: "nook-bench-images-" });
  try {
    await sh("umoci", ["init", "--layout", `${work}/oci`]);
    await sh("umoci", ["new", "--image", `${work}/oci:minbase`]);
    await sh("umoci", ["raw", "add-layer", "--image", `${work}/oci:minbase`, tar]);
    await sh("umoci", ["config", "--image", `${work}/oci:minbase`, "--config.cmd", "bash"]);
    const image = `${registry.host}/bench/minbase:1`;
    await sh("skopeo", [
      "copy",
      "--quiet",
      "--dest-tls-verify=false",
      `oci:${work}/oci:minbase`,
      `docker://${image}`,
    ]);
    Deno.mkdirSync(`${Deno.env.get("HOME")}/.config/containers`, { recursive: true });
    Deno.writeTextFileSync(
      `${Deno.env.get("HOME")}/.config/containers/storage.conf`,
      '[storage]\ndriver = "overlay"\n',
    );
    const root = `${work}/nook-root`;
    const nook = `env NOOK_ROOT=${root} ${repo}/bin/nook`;
    const podman = "podman --runtime runc";
    const pull = await timePulls(nook, podman, root, image, runs);
    await sh("sh", [
      "-c",
      `${nook} pull -q ${image} && ${podman} pull -q --tls-verify=false ${image}`,
    ], false);
    const run = await hyperfine({
      "nook run": `${nook} run --rm --network=none --pull=never ${image} true`,
      "podman run": `${podman} run --rm --network=none ${image} true`,
    }, runs);
    console.log(`\nPull of a Debian minbase image (~200 MB, ~7k files) from a local registry\n`);
    console.log(table(pull, "podman pull"));
    console.log(`(target: nook at most 0.5x podman)\n\nrun --rm IMAGE true\n`);
    console.log(table(run, "podman run"));
    console.log("(target: nook at most 0.25x podman)");
    await sh("sh", ["-c", `${nook} unshare rm -rf ${root}; ${podman} rmi -f ${image}`], false);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** VmRSS of a process in KB, or NaN. */
function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * The lifecycle: `run -d` start latency, `exec` latency, and the memory of
 * the process that keeps a detached container (nook's monitor, podman's
 * conmon), on a busybox image from a local registry.
 */
async function benchLifecycle(runs: number): Promise<void> {
  for (const tool of ["podman", "skopeo", "umoci", "docker-registry"]) {
    if (!have(tool)) {
      throw new Error(`${tool} is missing: run 'deno task bench' as root to provision`);
    }
  }
  const { startRegistry, pushBusyboxImage } = await import("../tests/registry_helpers.ts");
  await using registry = await startRegistry();
  const work = await Deno.makeTempDir({ prefix: "nook-bench-lifecycle-" });
  const root = `${work}/nook-root`;
  const nook = `env NOOK_ROOT=${root} ${repo}/bin/nook`;
  const podman = "podman --runtime runc";
  const rmAll = `${nook} rm -f b-run b-exec b-m0 b-m1 b-m2 b-m3 b-m4 2>/dev/null; ` +
    `${podman} rm -f -t 0 b-run b-exec b-m0 b-m1 b-m2 b-m3 b-m4 >/dev/null 2>&1; true`;
  try {
    const { reference: image } = await pushBusyboxImage(registry.host, "bench/busybox", "1");
    await sh("sh", [
      "-c",
      `${nook} pull -q ${image} && ${podman} pull -q --tls-verify=false ${image} >/dev/null`,
    ], false);
    const start = await hyperfine(
      {
        "nook run -d":
          `${nook} run -d --name b-run --network=none --pull=never ${image} busybox sleep 1000`,
        "podman run -d": `${podman} run -d --name b-run --network=none ${image} busybox sleep 1000`,
      },
      Math.max(5, Math.min(runs, 20)),
      {
        "nook run -d": `sh -c '${nook} rm -f b-run >/dev/null 2>&1; true'`,
        "podman run -d": `sh -c '${podman} rm -f -t 0 b-run >/dev/null 2>&1; true'`,
      },
    );
    await sh("sh", ["-c", rmAll], false);
    await sh("sh", [
      "-c",
      `${nook} run -d --name b-exec --network=none --pull=never ${image} busybox sleep 1000 ` +
      `>/dev/null && ` +
      `${podman} run -d --name b-exec --network=none ${image} busybox sleep 1000 >/dev/null`,
    ], false);
    const exec = await hyperfine({
      "nook exec": `${nook} exec b-exec true`,
      "podman exec": `${podman} exec b-exec true`,
    }, runs);
    const rss: Record<string, number[]> = { "nook monitor": [], "podman conmon": [] };
    for (let i = 0; i < 5; i++) {
      await sh("sh", [
        "-c",
        `${nook} run -d --name b-m${i} --network=none --pull=never ${image} busybox sleep 1000 ` +
        `>/dev/null && ` +
        `${podman} run -d --name b-m${i} --network=none ${image} busybox sleep 1000 >/dev/null`,
      ], false);
      const id = (await sh("sh", ["-c", `${nook} inspect -f '{{.Id}}' b-m${i}`], false)).trim();
      const state = Deno.readTextFileSync(`${root}/containers/${id}/state`);
      rss["nook monitor"].push(rssKb(Number(/^monitor (\d+)/m.exec(state)?.[1])));
      const conmon = (await sh("sh", [
        "-c",
        `${podman} inspect -f '{{.State.ConmonPid}}' b-m${i}`,
      ], false)).trim();
      rss["podman conmon"].push(rssKb(Number(conmon)));
    }
    console.log(`\nrun -d IMAGE sleep (start latency; the container keeps running)\n`);
    console.log(table(start, "podman run -d"));
    console.log(`\nexec CONTAINER true\n`);
    console.log(table(exec, "podman exec"));
    console.log("(target: nook exec at most 0.25x podman exec)\n");
    console.log("Memory of the process that keeps a detached container (VmRSS, 5 containers)");
    for (const [name, list] of Object.entries(rss)) {
      const mean = list.reduce((a, b) => a + b, 0) / list.length;
      console.log(
        `${name.padEnd(14)}  mean ${(mean / 1024).toFixed(2)} MB  (${list.join(", ")} kB)`,
      );
    }
    console.log("(target: nook's monitor at most 10 MB per container)");
  } finally {
    await sh("sh", ["-c", rmAll], false).catch(() => "");
    await sh("sh", ["-c", `${nook} unshare rm -rf ${root}`], false).catch(() => "");
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function readAll(conn: Deno.Conn): Promise<string> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    parts.push(buf.slice(0, n));
  }
  return new TextDecoder().decode(new Uint8Array(parts.flatMap((p) => [...p])));
}

/**
 * Sends `bytes` to 127.0.0.1:port (a server that reads to the end with `dd` and
 * then answers) and waits for its answer: seconds.
 */
async function sendBytes(port: number, bytes: number): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const chunk = new Uint8Array(1 << 20);
  const start = performance.now();
  for (let sent = 0; sent < bytes;) {
    sent += await conn.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
  }
  await conn.closeWrite();
  const reply = await readAll(conn);
  const seconds = (performance.now() - start) / 1000;
  conn.close();
  const [full, partial] = (/^(\d+)\+(\d+) records in/m.exec(reply) ?? []).slice(1).map(Number);
  if (!(full * (1 << 20) <= bytes && full + partial >= bytes / (1 << 20))) {
    throw new Error(`the container's dd says ${JSON.stringify(reply)} for ${bytes} bytes`);
  }
  return seconds;
}

/** Connects to 127.0.0.1:port (an `echo x` server) and reads the reply: milliseconds. */
async function connectOnce(port: number): Promise<number> {
  const start = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const reply = await readAll(conn);
  const ms = performance.now() - start;
  conn.close();
  if (reply !== "x\n") throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
  return ms;
}

/** Retries `fn` until it works (the container's servers start after `run -d` returns). */
async function whenUp<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0;; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * TCP through a published port, host -> container: throughput (a `wc -c`
 * server counts what the host sends) and connection latency (connect, read
 * one line from an `echo` server), per helper, nook against rootless podman.
 */
async function benchNetwork(runs: number): Promise<void> {
  for (const tool of ["podman", "skopeo", "umoci", "docker-registry"]) {
    if (!have(tool)) {
      throw new Error(`${tool} is missing: run 'deno task bench' as root to provision`);
    }
  }
  const helpers = ["pasta", "slirp4netns"].filter((h) => have(h));
  if (helpers.length === 0) throw new Error("neither pasta nor slirp4netns is installed");
  const { startRegistry, pushBusyboxImage } = await import("../tests/registry_helpers.ts");
  await using registry = await startRegistry();
  const work = await Deno.makeTempDir({ prefix: "nook-bench-network-" });
  const root = `${work}/nook-root`;
  const nook = `env NOOK_ROOT=${root} ${repo}/bin/nook`;
  const podman = "podman --runtime runc";
  const bytes = 1 << 30;
  const connects = Math.max(50, runs * 10);
  const rm = `${nook} rm -f b-net 2>/dev/null; ${podman} rm -f -t 0 b-net >/dev/null 2>&1; true`;
  const rows: [string, number, number][] = [];
  try {
    const { reference: image } = await pushBusyboxImage(registry.host, "bench/busybox", "net");
    await sh("sh", [
      "-c",
      `${nook} pull -q ${image} && ${podman} pull -q --tls-verify=false ${image} >/dev/null`,
    ], false);
    // Port 5000: dd reads everything (busybox wc -c would be the bottleneck, at ~450 MB/s),
    // then its record counts answer. Port 5001: one line per connection.
    const servers = "printf '#!/bin/sh\\nexec busybox dd of=/dev/null bs=1M 2>&1\\n' >/sink && " +
      "chmod 755 /sink && (busybox nc -ll -p 5000 -e /sink &) && " +
      "exec busybox nc -ll -p 5001 -e busybox echo x";
    const nookRun = [
      "env",
      `NOOK_ROOT=${root}`,
      `${repo}/bin/nook`,
      "run",
      "-d",
      "--name",
      "b-net",
    ];
    const podmanRun = ["podman", "--runtime", "runc", "run", "-d", "--name", "b-net"];
    const setups: [string, string[]][] = [];
    for (const helper of helpers) {
      setups.push([`nook ${helper}`, [...nookRun, "--network", helper]]);
      if (helper === "slirp4netns") {
        setups.push([
          "podman slirp4netns",
          [...podmanRun, "--network", "slirp4netns:port_handler=slirp4netns"],
        ]);
        setups.push([
          "podman slirp4netns (rootlessport)",
          [...podmanRun, "--network", "slirp4netns"],
        ]);
      } else {
        setups.push([`podman ${helper}`, [...podmanRun, "--network", helper]]);
      }
    }
    // A user-defined network: its slirp4netns publishes, DNAT in its namespace delivers.
    if (
      await sh("sh", ["-c", `${nook} network create b-net-user`], false).then(
        () => true,
        () => false,
      )
    ) {
      setups.push(["nook network", [...nookRun, "--network", "b-net-user"]]);
    }
    if (
      await sh("sh", ["-c", `${podman} network create b-net-user >/dev/null`], false)
        .then(() => true, () => false)
    ) {
      setups.push(["podman network", [...podmanRun, "--network", "b-net-user"]]);
    }
    for (const [name, start] of setups) {
      await sh("sh", ["-c", rm], false);
      const port = 20000 + Math.floor(Math.random() * 20000);
      const out = await new Deno.Command(start[0], {
        args: [
          ...start.slice(1),
          "-p",
          `127.0.0.1:${port}:5000`,
          "-p",
          `127.0.0.1:${port + 1}:5001`,
          image,
          "sh",
          "-c",
          servers,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        console.log(`${name}: cannot start (${new TextDecoder().decode(out.stderr).trim()})`);
        continue;
      }
      await whenUp(() => sendBytes(port, 1 << 20));
      await whenUp(() => connectOnce(port + 1));
      const seconds: number[] = [];
      for (let i = 0; i < Math.max(3, Math.min(runs, 7)); i++) {
        seconds.push(await sendBytes(port, bytes));
      }
      const latency: number[] = [];
      for (let i = 0; i < connects; i++) latency.push(await connectOnce(port + 1));
      rows.push([name, bytes / median(seconds) / 1e6, median(latency)]);
    }
    console.log(
      `
TCP host -> container through a published port (127.0.0.1): ${bytes >> 20} MiB ` +
        `per transfer, median of ${Math.max(3, Math.min(runs, 7))}; connect + one reply, ` +
        `median of ${connects}
`,
    );
    const table = [["SETUP", "THROUGHPUT", "RATIO", "CONNECT", "RATIO"]];
    for (const [name, mbps, ms] of rows) {
      const tool = name.split(" ")[1];
      const peer = name.startsWith("nook ")
        ? rows.find((r) => r[0] === `podman ${tool}`)
        : undefined;
      table.push([
        name,
        `${mbps.toFixed(0)} MB/s`,
        peer ? `${(mbps / peer[1]).toFixed(2)}x` : "-",
        `${ms.toFixed(2)} ms`,
        peer ? `${(ms / peer[2]).toFixed(2)}x` : "-",
      ]);
    }
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    console.log(table.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n"));
    console.log("(ratios: nook / podman with the same helper; podman without pasta shows '-')");
  } finally {
    await sh("sh", ["-c", rm], false).catch(() => "");
    await sh("sh", [
      "-c",
      `${nook} network rm b-net-user; ${podman} network rm b-net-user >/dev/null 2>&1; true`,
    ], false).catch(() => "");
    await sh("sh", ["-c", `${nook} unshare rm -rf ${root}`], false).catch(() => "");
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** The sections' flags; without any, the default run picks its own. */
const SECTIONS = ["--forms", "--images", "--lifecycle", "--network", "--targets", "--pull"];

function sectionGiven(): boolean {
  return SECTIONS.some((flag) => Deno.args.includes(flag));
}

/** The PostgreSQL 15 rootfs (debootstrap, as root) that the targets' last row runs. */
const POSTGRES_TAR = "/var/tmp/nook-bench/postgres15.tar";
/** Why the PostgreSQL rootfs could not be built (the row says so), written as root. */
const POSTGRES_SKIPPED = "/var/tmp/nook-bench/postgres15.skipped";

/**
 * Builds POSTGRES_TAR once (minutes): a Debian minbase with postgresql-15 and an entry
 * script that makes a cluster trusting host connections on first start, then runs postgres
 * in the foreground. Without the Debian mirror, records why in POSTGRES_SKIPPED.
 */
async function buildPostgresTar(): Promise<void> {
  try {
    Deno.statSync(POSTGRES_TAR);
    return;
  } catch {
    // not built yet
  }
  Deno.mkdirSync("/var/tmp/nook-bench", { recursive: true });
  const mirror = "http://deb.debian.org/debian";
  const reach = await new Deno.Command("curl", {
    args: ["-fsS", "-m", "10", "-o", "/dev/null", `${mirror}/dists/bookworm/Release`],
    stdout: "null",
    stderr: "piped",
  }).output().catch((err: Error) => ({
    success: false,
    stderr: new TextEncoder().encode(`${err}`),
  }));
  if (!reach.success) {
    Deno.writeTextFileSync(
      POSTGRES_SKIPPED,
      `the Debian mirror ${mirror} is not reachable (${
        new TextDecoder().decode(reach.stderr).trim()
      }), so the PostgreSQL image (debootstrap --include=postgresql-15) cannot be built`,
    );
    return;
  }
  console.log(`bench: building ${POSTGRES_TAR} (debootstrap with postgresql-15, once)`);
  // /var/run is an absolute symlink to /run in the rootfs: its directory is made as run/.
  await sh("sh", [
    "-c",
    `set -e; d=$(mktemp -d /var/tmp/nook-bench-postgres.XXXX); tar="$0"
    debootstrap --variant=minbase --include=postgresql-15 bookworm "$d" ${mirror} >/dev/null
    rm -rf "$d"/var/cache/apt/archives/*.deb "$d"/var/lib/apt/lists/*
    cat >"$d/usr/local/bin/nook-bench-postgres" <<'SCRIPT'
#!/bin/sh
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  /usr/lib/postgresql/15/bin/initdb -D "$PGDATA" -U postgres --auth-local=trust --auth-host=trust >/dev/null
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
  echo "host all all 0.0.0.0/0 trust" >>"$PGDATA/pg_hba.conf"
fi
exec /usr/lib/postgresql/15/bin/postgres -D "$PGDATA"
SCRIPT
    chmod 755 "$d/usr/local/bin/nook-bench-postgres"
    ids=$(awk -F: '$1=="postgres"{print $3 ":" $4}' "$d/etc/passwd")
    mkdir -p "$d/run/postgresql" "$d/var/lib/postgresql"
    chown -R "$ids" "$d/var/lib/postgresql" "$d/run/postgresql"
    chmod 2775 "$d/run/postgresql"
    tar -C "$d" --numeric-owner -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$d" ${POSTGRES_SKIPPED}`,
    POSTGRES_TAR,
  ]);
}

/** Pushes a rootfs tar as a one-layer image to the registry, with umoci config flags: its reference. */
async function pushRootfsImage(
  work: string,
  tar: string,
  reference: string,
  config: string[],
): Promise<string> {
  const layout = `${work}/oci-${reference.replace(/[^a-z0-9]/g, "-")}`;
  await sh("umoci", ["init", "--layout", layout]);
  await sh("umoci", ["new", "--image", `${layout}:img`]);
  await sh("umoci", ["raw", "add-layer", "--image", `${layout}:img`, tar]);
  await sh("umoci", ["config", "--image", `${layout}:img`, ...config]);
  await sh("skopeo", [
    "copy",
    "--quiet",
    "--dest-tls-verify=false",
    `oci:${layout}:img`,
    `docker://${reference}`,
  ]);
  await Deno.remove(layout, { recursive: true });
  return reference;
}

/** The direct children of a process (all its threads'), or none. */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`);
      kids.push(...text.split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    // gone
  }
  return kids;
}

/** A process and all its descendants. */
function withDescendants(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(withDescendants)];
}

function procText(pid: number, file: string): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/${file}`).replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

function procLink(pid: number, file: string): string {
  try {
    return Deno.readLinkSync(`/proc/${pid}/${file}`);
  } catch {
    return "";
  }
}

/** Processes that keep a container, in kB: the keeper itself and its network helpers. */
interface Keeper {
  keeper: number;
  helpers: number;
  detail: string;
}

/**
 * nook's monitor and its network helpers: the monitor's children other than the container's
 * own process, and theirs.
 */
function nookKeeper(state: string): Keeper {
  const monitor = Number(/^monitor (\d+)/m.exec(state)?.[1]);
  const init = Number(/^pid (\d+)/m.exec(state)?.[1]);
  const helpers = childrenOf(monitor).filter((p) => p !== init).flatMap(withDescendants);
  return {
    keeper: rssKb(monitor),
    helpers: helpers.reduce((sum, p) => sum + rssKb(p), 0),
    detail: `monitor ${monitor}; helpers ${
      helpers.map((p) => `${p} ${procText(p, "comm")}`).join(", ") || "none"
    }`,
  };
}

/**
 * podman's conmon and the helpers of this container's network: the slirp4netns whose
 * command line names the container's network namespace, and rootlessport processes
 * in that namespace (port forwarding) with their parent rootlessport.
 */
function podmanKeeper(conmon: number, sandbox: string, containerPid: number): Keeper {
  const netns = procLink(containerPid, "ns/net");
  const helpers = new Set<number>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid === containerPid) continue;
    const comm = procText(pid, "comm");
    if (comm === "slirp4netns" && sandbox && procText(pid, "cmdline").includes(sandbox)) {
      helpers.add(pid);
    } else if (comm.startsWith("rootlessport") && netns && procLink(pid, "ns/net") === netns) {
      helpers.add(pid);
      const parent = Number(/^PPid:\s+(\d+)/m.exec(procText(pid, "status"))?.[1]);
      if (procText(parent, "comm").startsWith("rootlessport")) helpers.add(parent);
    }
  }
  return {
    keeper: rssKb(conmon),
    helpers: [...helpers].reduce((sum, p) => sum + rssKb(p), 0),
    detail: `conmon ${conmon}; helpers ${
      [...helpers].map((p) => `${p} ${procText(p, "comm")}`).join(", ") || "none"
    }`,
  };
}

/** Reads whole PostgreSQL backend messages (type, body) from a connection. */
class PgReader {
  #buf = new Uint8Array(0);
  constructor(private conn: Deno.Conn) {}

  async #fill(n: number): Promise<void> {
    const chunk = new Uint8Array(8192);
    while (this.#buf.length < n) {
      const got = await this.conn.read(chunk);
      if (got === null) throw new Error("the server closed the connection");
      const joined = new Uint8Array(this.#buf.length + got);
      joined.set(this.#buf);
      joined.set(chunk.subarray(0, got), this.#buf.length);
      this.#buf = joined;
    }
  }

  async next(): Promise<[string, Uint8Array]> {
    await this.#fill(5);
    const length = new DataView(this.#buf.buffer, this.#buf.byteOffset).getInt32(1);
    await this.#fill(1 + length);
    const type = String.fromCharCode(this.#buf[0]);
    const body = this.#buf.slice(5, 1 + length);
    this.#buf = this.#buf.slice(1 + length);
    return [type, body];
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
}

/** A frontend message: type byte, int32 length, body. */
function pgMessage(type: string, body: Uint8Array): Uint8Array {
  const msg = new Uint8Array(5 + body.length);
  msg[0] = type.charCodeAt(0);
  new DataView(msg.buffer).setInt32(1, 4 + body.length);
  msg.set(body, 5);
  return msg;
}

/**
 * One `select 1` on 127.0.0.1:port with protocol 3.0 as user postgres (trust only): throws
 * unless the server answers with a row and is ready again.
 */
async function pgSelectOne(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let closed = false;
  const close = () => {
    if (!closed) conn.close();
    closed = true;
  };
  // A forwarder may accept before the server listens and then hold the connection.
  const timer = setTimeout(close, 2000);
  try {
    const enc = new TextEncoder();
    const params = enc.encode("user\0postgres\0database\0postgres\0\0");
    const startup = new Uint8Array(8 + params.length);
    const view = new DataView(startup.buffer);
    view.setInt32(0, startup.length);
    view.setInt32(4, 3 << 16);
    startup.set(params, 8);
    await writeAll(conn, startup);
    const reader = new PgReader(conn);
    let queried = false;
    let row = false;
    for (;;) {
      const [type, body] = await reader.next();
      if (type === "R") {
        const code = new DataView(body.buffer, body.byteOffset).getInt32(0);
        if (code !== 0) {
          throw new Error(`the server asks for authentication ${code}: the image must trust hosts`);
        }
      } else if (type === "E") {
        throw new Error(`the server says: ${new TextDecoder().decode(body).replaceAll("\0", " ")}`);
      } else if (type === "D") {
        row = true;
      } else if (type === "Z") {
        if (!queried) {
          await writeAll(conn, pgMessage("Q", enc.encode("select 1\0")));
          queried = true;
        } else if (row) {
          await writeAll(conn, pgMessage("X", new Uint8Array(0)));
          return;
        } else {
          throw new Error("select 1 returned no row");
        }
      }
    }
  } finally {
    clearTimeout(timer);
    close();
  }
}

/**
 * Milliseconds from the start of `cmd` (a `run -d -p 127.0.0.1:port:5432`) to the first
 * answered `select 1`, retrying every 20 ms (up to 2 minutes).
 */
async function pgStartToQuery(cmd: string[], port: number): Promise<number> {
  const start = performance.now();
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let failure = "";
  const done = child.output().then((out) => {
    if (!out.success) {
      failure = `'${cmd.join(" ")}' failed: ${new TextDecoder().decode(out.stderr).trim()}`;
    }
  });
  let last: unknown;
  while (performance.now() - start < 120_000) {
    if (failure) throw new Error(failure);
    try {
      await pgSelectOne(port);
      const ms = performance.now() - start;
      await done;
      if (failure) throw new Error(failure);
      return ms;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await done;
  throw new Error(`no answer on 127.0.0.1:${port} within 2 minutes: ${last}`);
}

/**
 * The table of issue 14: each row of work nook against its peer (podman 4.3 with runc and
 * conmon; bwrap and Deno's empty script for `--rootfs`), the ratio and the target.
 */
async function benchTargets(runs: number): Promise<void> {
  for (const tool of ["podman", "skopeo", "umoci", "docker-registry", "bwrap"]) {
    if (!have(tool)) {
      throw new Error(`${tool} is missing: run 'deno task bench' as root to provision`);
    }
  }
  const { startRegistry } = await import("../tests/registry_helpers.ts");
  await using registry = await startRegistry();
  const work = await Deno.makeTempDir({ prefix: "nook-bench-targets-" });
  const root = `${work}/nook-root`;
  const nookBin = `${repo}/bin/nook`;
  const nook = `env NOOK_ROOT=${root} ${nookBin}`;
  const podman = "podman --runtime runc";
  // One name per rm: podman 4.3 removes none of them when the first is missing.
  const rmAll =
    ["b-t-exec", "b-t-pg"].map((name) =>
      `${nook} rm -f ${name} >/dev/null 2>&1; ${podman} rm -f -t 0 ${name} >/dev/null 2>&1; `
    ).join("") + "true";
  const ms = (r: Result | undefined) => (r?.median ?? NaN) * 1000;
  const fmtMs = (v: number) => v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`;
  // WORK, NOOK, PEER, RATIO, TARGET, MET
  const rows: string[][] = [];
  const row = (
    work: string,
    nookV: string,
    peer: string,
    ratio: number,
    target: string,
    met: boolean,
  ) => rows.push([work, nookV, peer, `${ratio.toFixed(2)}x`, target, met ? "yes" : "no"]);
  const images: string[] = [];
  try {
    Deno.mkdirSync(`${Deno.env.get("HOME")}/.config/containers`, { recursive: true });
    Deno.writeTextFileSync(
      `${Deno.env.get("HOME")}/.config/containers/storage.conf`,
      '[storage]\ndriver = "overlay"\n',
    );
    const image = await pushRootfsImage(
      work,
      "/var/tmp/nook-bench/minbase.tar",
      `${registry.host}/bench/minbase:targets`,
      ["--config.cmd", "bash"],
    );
    images.push(image);

    // Pull + unpack, each store emptied before each run.
    const pull = await timePulls(nook, podman, root, image, runs);
    await sh("sh", [
      "-c",
      `${nook} pull -q ${image} >/dev/null && ${podman} pull -q --tls-verify=false ${image} >/dev/null`,
    ], false);

    const none = await hyperfine({
      "nook run --network none": `${nook} run --rm --network none --pull=never ${image} true`,
      "podman run --network none": `${podman} run --rm --network none ${image} true`,
    }, runs);
    const dflt = await hyperfine({
      "nook run": `${nook} run --rm --pull=never ${image} true`,
      "podman run": `${podman} run --rm ${image} true`,
    }, runs);

    // One idle detached container per tool on its default network: its keeper's memory,
    // then exec in it.
    await sh("sh", ["-c", rmAll], false);
    await sh("sh", [
      "-c",
      `${nook} run -d --name b-t-exec --pull=never ${image} sleep 100000 >/dev/null && ` +
      `${podman} run -d --name b-t-exec ${image} sleep 100000 >/dev/null`,
    ], false);
    await new Promise((r) => setTimeout(r, 2000));
    const id = (await sh("sh", ["-c", `${nook} inspect -f '{{.Id}}' b-t-exec`], false)).trim();
    const nookMem = nookKeeper(Deno.readTextFileSync(`${root}/containers/${id}/state`));
    const [conmon, sandbox, ctrPid] = (await sh("sh", [
      "-c",
      `${podman} inspect -f '{{.State.ConmonPid}} {{.NetworkSettings.SandboxKey}} {{.State.Pid}}' b-t-exec`,
    ], false)).trim().split(" ");
    const podmanMem = podmanKeeper(Number(conmon), sandbox, Number(ctrPid));
    console.log(`memory: nook ${nookMem.detail}; podman ${podmanMem.detail}`);
    const exec = await hyperfine({
      "nook exec": `${nook} exec b-t-exec true`,
      "podman exec": `${podman} exec b-t-exec true`,
    }, runs);
    await sh("sh", ["-c", rmAll], false);

    // --rootfs: a busybox rootfs; bwrap and Deno's empty script in the same run.
    const rootfs = `${work}/rootfs`;
    Deno.mkdirSync(rootfs);
    await makeBusyboxRootfs(rootfs);
    const empty = `${work}/empty.js`;
    Deno.writeTextFileSync(empty, "");
    const bare = await hyperfine({
      "nook run --rootfs": `${nookBin} run --rm --rootfs ${rootfs} /bin/true`,
      bwrap:
        `bwrap --unshare-all --die-with-parent --bind ${rootfs} / --proc /proc --dev /dev /bin/true`,
      "deno (empty script)": `${deno} run -A ${empty}`,
    }, runs);

    // PostgreSQL: run -d -p to the first answered query, alternating, medians.
    let pg: [number, number] | string =
      `${POSTGRES_TAR} is missing (built by 'deno task bench' as root)`;
    try {
      pg = Deno.readTextFileSync(POSTGRES_SKIPPED);
    } catch {
      // no reason recorded
    }
    if (have(POSTGRES_TAR.slice(POSTGRES_TAR.lastIndexOf("/") + 1), "/var/tmp/nook-bench")) {
      try {
        const pgImage = await pushRootfsImage(
          work,
          POSTGRES_TAR,
          `${registry.host}/bench/postgres:15`,
          [
            "--config.user",
            "postgres",
            "--config.env",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "--config.env",
            "PGDATA=/var/lib/postgresql/data",
            "--config.exposedports",
            "5432/tcp",
            "--config.cmd",
            "/usr/local/bin/nook-bench-postgres",
          ],
        );
        images.push(pgImage);
        await sh("sh", [
          "-c",
          `${nook} pull -q ${pgImage} >/dev/null && ` +
          `${podman} pull -q --tls-verify=false ${pgImage} >/dev/null`,
        ], false);
        const times: Record<string, number[]> = { nook: [], podman: [] };
        const n = Math.max(3, Math.min(runs, 5));
        for (let i = 0; i < n; i++) {
          for (const tool of ["nook", "podman"]) {
            await sh("sh", ["-c", rmAll], false);
            const port = 20000 + Math.floor(Math.random() * 20000);
            const publish = ["-p", `127.0.0.1:${port}:5432`];
            const cmd = tool === "nook"
              ? [
                "env",
                `NOOK_ROOT=${root}`,
                nookBin,
                "run",
                "-d",
                "--name",
                "b-t-pg",
                "--pull=never",
              ]
              : ["podman", "--runtime", "runc", "run", "-d", "--name", "b-t-pg"];
            times[tool].push(await pgStartToQuery([...cmd, ...publish, pgImage], port));
          }
        }
        await sh("sh", ["-c", rmAll], false);
        console.log(
          `postgres (ms): nook ${times.nook.map((t) => t.toFixed(0)).join(", ")}; ` +
            `podman ${times.podman.map((t) => t.toFixed(0)).join(", ")}`,
        );
        pg = [median(times.nook), median(times.podman)];
      } catch (err) {
        // One tool cannot run it: the row says why, the others stand.
        pg = `a run failed: ${err instanceof Error ? err.message : err}`;
        await sh("sh", ["-c", rmAll], false).catch(() => "");
      }
    }

    const pair = (
      work: string,
      r: Map<string, Result>,
      a: string,
      b: string,
      peer: string,
      limit: number,
    ) => {
      const x = ms(r.get(a));
      const y = ms(r.get(b));
      row(work, fmtMs(x), `${fmtMs(y)}${peer}`, x / y, `<= ${limit}x`, x / y <= limit);
    };
    pair(
      "run --rm --network none IMAGE true",
      none,
      "nook run --network none",
      "podman run --network none",
      "",
      0.2,
    );
    pair(
      "run --rm IMAGE true (default network)",
      dflt,
      "nook run",
      "podman run",
      " (slirp4netns)",
      0.25,
    );
    pair("exec CTR true", exec, "nook exec", "podman exec", "", 0.25);
    pair(
      "pull + unpack, Debian minbase, local registry",
      pull,
      "nook pull",
      "podman pull",
      "",
      0.5,
    );
    const mb = (k: Keeper) => (k.keeper + k.helpers) / 1024;
    const parts = (k: Keeper) =>
      `${(k.keeper / 1024).toFixed(1)} + ${(k.helpers / 1024).toFixed(1)}`;
    rows.push([
      "memory keeping one idle detached container",
      `${mb(nookMem).toFixed(1)} MB (${parts(nookMem)})`,
      `${mb(podmanMem).toFixed(1)} MB (${parts(podmanMem)})`,
      `${(mb(nookMem) / mb(podmanMem)).toFixed(2)}x`,
      "<= 10 MB, <= podman",
      mb(nookMem) <= 10 && mb(nookMem) <= mb(podmanMem) ? "yes" : "no",
    ]);
    const rootfsMs = ms(bare.get("nook run --rootfs"));
    const denoMs = ms(bare.get("deno (empty script)"));
    rows.push([
      "run --rm --rootfs DIR /bin/true",
      fmtMs(rootfsMs),
      `bwrap ${fmtMs(ms(bare.get("bwrap")))}, deno ${fmtMs(denoMs)}`,
      `${(rootfsMs / ms(bare.get("bwrap"))).toFixed(2)}x`,
      `<= 2x deno (${fmtMs(2 * denoMs)})`,
      rootfsMs <= 2 * denoMs ? "yes" : "no",
    ]);
    if (typeof pg === "string") {
      rows.push([
        "PostgreSQL 15: run -d -p to first query",
        "skipped",
        "skipped",
        "-",
        "<= 0.9x",
        "-",
      ]);
    } else {
      row(
        "PostgreSQL 15: run -d -p to first query",
        fmtMs(pg[0]),
        fmtMs(pg[1]),
        pg[0] / pg[1],
        "<= 0.9x",
        pg[0] / pg[1] <= 0.9,
      );
    }
    const head = ["WORK", "NOOK", "PEER", "RATIO", "TARGET", "MET"];
    const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i].length)));
    console.log(
      `\nTargets (issue 14): medians; latencies from one alternating hyperfine run per row\n`,
    );
    console.log(
      [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n"),
    );
    console.log(
      `
PEER: rootless podman (--runtime runc, conmon; default network slirp4netns), or bwrap and
Deno's empty script for --rootfs. RATIO: nook / peer (for --rootfs: nook / bwrap; its target is
2x Deno's empty script). Latencies: ${runs} runs (pull: ${Math.max(3, Math.min(runs, 8))}, each
store emptied first; PostgreSQL: ${Math.max(3, Math.min(runs, 5))} alternating runs, run -d with
-p 127.0.0.1:PORT:5432 until select 1 answers). Memory: VmRSS of nook's monitor + its network
helpers (its children but the container) against podman's conmon + this container's
slirp4netns (and rootlessport).`,
    );
    if (typeof pg === "string") console.log(`PostgreSQL row skipped: ${pg}`);
  } finally {
    await sh("sh", ["-c", rmAll], false).catch(() => "");
    for (const img of images) {
      await sh("sh", ["-c", `${podman} rmi -f ${img} >/dev/null 2>&1; true`], false).catch(() =>
        ""
      );
    }
    await sh("sh", ["-c", `${nook} unshare rm -rf ${root}`], false).catch(() => "");
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

await main();
if (Deno.args.includes("--forms")) {
  await benchForms(Number(Deno.args[Deno.args.indexOf("--runs") + 1]) || 30);
}
if (Deno.args.includes("--network")) {
  await benchNetwork(Number(Deno.args[Deno.args.indexOf("--runs") + 1]) || 5);
}
if (Deno.args.includes("--lifecycle")) {
  await benchLifecycle(Number(Deno.args[Deno.args.indexOf("--runs") + 1]) || 20);
}
if (Deno.args.includes("--images")) {
  await benchImages(Number(Deno.args[Deno.args.indexOf("--runs") + 1]) || 10);
}
if (Deno.args.includes("--pull")) {
  await benchPull(Number(Deno.args[Deno.args.indexOf("--runs") + 1]) || 8);
}
if (Deno.args.includes("--targets")) {
  await benchTargets(Number(Deno.args[Deno.args.indexOf("--runs") + 1]) || 10);
}
