/**
 * End-to-end tests of what `nook run` isolates, against the real kernel, as
 * an unprivileged user: the pid, UTS, user, mount, IPC and network
 * namespaces, the container's /dev, docker's masked and read-only paths, the
 * init layer (/etc/hosts, /etc/hostname, /etc/resolv.conf), `--read-only`,
 * and rootfs symlinks that point out of the rootfs (the runc
 * CVE-2021-30465 class). Every run is also checked for leftovers: the host's
 * mount table unchanged, no run directory left in the runtime directory, no
 * process of the run still alive.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  busyboxRootfs,
  hostUid,
  nook,
  type NookResult,
  repoRoot,
  requireSubidRange,
  testNeeds,
} from "./helpers.ts";

/** docker's default masked paths (moby oci/defaults.go). */
const DOCKER_MASKED_PATHS = [
  "/proc/asound",
  "/proc/acpi",
  "/proc/interrupts",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
];

/** docker's default read-only paths. */
const DOCKER_READONLY_PATHS = [
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
];

/** What `ls -A /dev` shows in `docker run busybox` (no -t, so no console). */
const DOCKER_DEV_ENTRIES = [
  "core",
  "fd",
  "full",
  "mqueue",
  "null",
  "ptmx",
  "pts",
  "random",
  "shm",
  "stderr",
  "stdin",
  "stdout",
  "tty",
  "urandom",
  "zero",
];

/**
 * A runtime directory of this file's own, so that the leftover checks see
 * only this file's runs even when other sessions of the same user run nook.
 */
const XDG_RUNTIME = Deno.makeTempDirSync({ prefix: "nook-test-xdg-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(XDG_RUNTIME, { recursive: true });
  } catch {
    // Best effort: the process is exiting and the dir is in the temp folder.
  }
});

/** Put in the environment of every nook this file starts, to find its processes. */
const MARK = `nook-isolation-${randomHex(8)}`;
const ENV = { XDG_RUNTIME_DIR: XDG_RUNTIME, NOOK_TEST_MARK: MARK };

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomHex(bytes: number): string {
  return hex(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The runtime directory nook uses with {@linkcode ENV}. */
function nookRuntimeDir(): string {
  return `${XDG_RUNTIME}/nook`;
}

/**
 * Entries of nook's runtime directory other than `warned-*` markers and the file and lock of
 * the anchor of the user namespace runs share (lib/runtime/userns_anchor.ts).
 */
function runtimeLeftovers(): string[] {
  try {
    return [...Deno.readDirSync(nookRuntimeDir())].map((e) => e.name)
      .filter((name) => !name.startsWith("warned-") && !name.startsWith("anchor-userns")).sort();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
}

/** The mount table of this (host) process. */
function hostMounts(): string {
  return Deno.readTextFileSync("/proc/self/mountinfo");
}

interface MarkedProcess {
  pid: number;
  cmdline: string;
}

/** Live processes whose environment holds this file's {@linkcode MARK}. */
function markedProcesses(): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  const needle = `NOOK_TEST_MARK=${MARK}`;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const environ = Deno.readTextFileSync(`/proc/${entry.name}/environ`).split("\0");
      if (!environ.includes(needle)) continue;
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      found.push({ pid: Number(entry.name), cmdline: cmdline.trim() });
    } catch {
      // Gone, a kernel thread, or another user's: not one of ours.
    }
  }
  return found;
}

/** Waits up to a second for every marked process to be gone; returns those left. */
async function leftoverProcesses(): Promise<MarkedProcess[]> {
  let left = markedProcesses();
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = markedProcesses();
  }
  return left;
}

/** Asserts that nothing of a finished run is left: mounts, run dirs, processes. */
async function assertNoLeftovers(mountsBefore: string, what: string): Promise<void> {
  assert.equal(hostMounts(), mountsBefore, `${what} changed the host's mount table`);
  assert.deepEqual(runtimeLeftovers(), [], `${what} left entries in ${nookRuntimeDir()}`);
  assert.deepEqual(await leftoverProcesses(), [], `${what} left processes behind`);
}

/**
 * `nook run ...args` with this file's environment, then the leftover checks.
 *
 * @param args Arguments after "run".
 */
async function run(args: string[]): Promise<NookResult> {
  const mountsBefore = hostMounts();
  const result = await nook(["run", ...args], { env: ENV });
  await assertNoLeftovers(mountsBefore, `nook run ${JSON.stringify(args)}`);
  return result;
}

/** `nook run [flags] --rootfs ROOTFS /bin/sh -c SCRIPT`. */
async function sh(script: string, flags: string[] = [], rootfs?: string): Promise<NookResult> {
  return await run([
    ...flags,
    "--rootfs",
    rootfs ?? await busyboxRootfs(),
    "/bin/sh",
    "-c",
    script,
  ]);
}

/** Like {@linkcode sh} but fails unless the run exits 0; returns stdout. */
async function shOk(script: string, flags: string[] = [], rootfs?: string): Promise<string> {
  const result = await sh(script, flags, rootfs);
  assert.equal(result.code, 0, `script failed: ${script}\n${JSON.stringify(result, null, 1)}`);
  return result.stdout;
}

/** Non-empty lines of a text. */
function lines(text: string): string[] {
  return text.split("\n").filter((line) => line !== "");
}

/** A copy of the busybox rootfs (mode 0755) in a fresh temp dir; remove it when done. */
async function copyRootfs(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-rootfs-copy-" });
  const cp = await new Deno.Command("cp", {
    args: ["-a", `${await busyboxRootfs()}/.`, `${dir}/`],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(cp.success, `cp -a failed: ${new TextDecoder().decode(cp.stderr)}`);
  await Deno.chmod(dir, 0o755);
  return dir;
}

/** Removes a directory tree, also where files belong to subordinate ids. */
async function removeTree(dir: string): Promise<void> {
  try {
    await Deno.remove(dir, { recursive: true });
  } catch {
    await nook(["unshare", "rm", "-rf", dir], { env: ENV });
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

async function sha256(path: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path))));
}

/**
 * One line per entry beneath `root` (itself as "/"): type, mode, owner, size,
 * mtime (field 4) and the content's hash or the link's target.
 */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    const path = root + rel;
    const st = await Deno.lstat(path);
    const type = st.isSymlink ? "link" : st.isDirectory ? "dir" : st.isFile ? "file" : "other";
    let content = "";
    if (st.isSymlink) content = await Deno.readLink(path);
    else if (st.isFile) content = await sha256(path);
    const fields = [
      type,
      st.mode?.toString(8),
      `${st.uid}:${st.gid}`,
      st.size,
      st.mtime?.getTime(),
    ];
    out.set(rel || "/", [...fields, content].join(" "));
    if (st.isDirectory) {
      const names = [...Deno.readDirSync(path)].map((e) => e.name).sort();
      for (const name of names) await walk(`${rel}/${name}`);
    }
  };
  await walk("");
  return out;
}

/** A host path's state: type, mode, mtime, inode, and its listing or content. */
async function hostState(path: string): Promise<string> {
  let st: Deno.FileInfo;
  try {
    st = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "absent";
    throw err;
  }
  let content = "";
  if (st.isDirectory) content = [...Deno.readDirSync(path)].map((e) => e.name).sort().join(",");
  else if (st.isFile) content = await sha256(path);
  else if (st.isSymlink) content = await Deno.readLink(path);
  return `${st.mode?.toString(8)} ${st.ino} ${st.size} ${st.mtime?.getTime()} ${content}`;
}

/** The states of several host paths, to compare before and after a run. */
async function hostStates(paths: string[]): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  for (const path of paths) states[path] = await hostState(path);
  return states;
}

/**
 * A run either worked or was refused by nook itself (exit 125 and a
 * "nook: ..." message); `worked` checks the output of a run that worked.
 */
function assertWorkedOrRefused(result: NookResult, worked: (stdout: string) => void): void {
  if (result.code === 0) {
    worked(result.stdout);
    return;
  }
  assert.equal(result.code, 125, `neither worked nor refused: ${JSON.stringify(result)}`);
  assert.match(result.stderr, /^nook: \S/m);
}

/** The start of the user's range in /etc/subuid or /etc/subgid. */
function subidStart(file: string): number {
  const uid = String(hostUid());
  const name = Deno.env.get("USER");
  for (const line of Deno.readTextFileSync(file).split("\n")) {
    const [owner, start, count] = line.trim().split(":");
    if ((owner === uid || owner === name) && Number(count) > 0) return Number(start);
  }
  throw new Error(`No range of uid ${uid} (${name}) in ${file}`);
}

Deno.test("run gives the container PID 1 and hides host processes", async () => {
  const out = lines(
    await shOk(
      'echo "self=$$"; ps -o pid,comm; ls /proc > /dev/shm/procs; ' +
        'echo "proc=$(grep "^[0-9]" /dev/shm/procs | tr "\\n" " ")"; ' +
        'echo "init=$(tr "\\0" " " < /proc/1/cmdline)"',
    ),
  );
  assert.equal(out[0], "self=1");
  assert.match(out[1], /^\s*PID\s+COMMAND$/);
  const ps = out.slice(2, -2).map((line) => line.trim().split(/\s+/));
  assert.deepEqual(ps.map(([, comm]) => comm), ["sh", "ps"], `ps shows: ${JSON.stringify(ps)}`);
  assert.equal(ps[0][0], "1");
  assert.ok(Number(ps[1][0]) < 10, `ps has a host-sized pid: ${ps[1][0]}`);
  const pids = out.at(-2)!.replace(/^proc=/, "").trim().split(" ").map(Number);
  assert.equal(pids.length, 2, `/proc lists ${pids}: not only sh and ls`);
  assert.equal(pids[0], 1);
  assert.ok(pids.every((pid) => pid < 10), `/proc lists host pids: ${pids}`);
  assert.ok(!pids.includes(Deno.pid));
  assert.match(out.at(-1)!, /^init=\/bin\/sh -c echo "self=\$\$"/);
});

Deno.test("run sets a random 12-hex-digit hostname and writes it to /etc/hostname", async () => {
  const hostBefore = Deno.hostname();
  const script = 'hostname; cat /etc/hostname; echo "$HOSTNAME"; cat /proc/sys/kernel/hostname; ' +
    "grep -v localhost /etc/hosts";
  const first = lines(await shOk(script));
  const name = first[0];
  assert.match(name, /^[0-9a-f]{12}$/);
  assert.deepEqual(first, [name, name, name, name, `127.0.1.1\t${name}`]);
  const second = lines(await shOk("hostname"));
  assert.match(second[0], /^[0-9a-f]{12}$/);
  assert.notEqual(second[0], name, "two containers got the same hostname");
  assert.equal(Deno.hostname(), hostBefore);
});

Deno.test("run --hostname and -h set the container's hostname but not the host's", async () => {
  const hostBefore = Deno.hostname();
  const hostFile = Deno.readTextFileSync("/proc/sys/kernel/hostname");
  for (const [flag, name] of [["--hostname", "web-1"], ["-h", "db.example"]]) {
    const out = lines(
      await shOk('hostname; cat /etc/hostname; echo "$HOSTNAME"; grep 127.0.1.1 /etc/hosts', [
        flag,
        name,
      ]),
    );
    assert.deepEqual(out, [name, name, name, `127.0.1.1\t${name}`], `${flag} ${name}`);
  }
  assert.equal(Deno.hostname(), hostBefore);
  assert.equal(Deno.readTextFileSync("/proc/sys/kernel/hostname"), hostFile);
});

Deno.test("run maps container root to the host user in a new user namespace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nook-test-vol-" });
  try {
    await Deno.writeTextFile(`${dir}/from-host`, "x");
    const out = lines(
      await shOk(
        "id -u; head -1 /proc/self/uid_map; head -1 /proc/self/gid_map; " +
          "stat -c %u:%g /vol/from-host; stat -c %u /dev/null; " +
          "readlink /proc/self/ns/user; touch /vol/from-container",
        ["-v", `${dir}:/vol`],
      ),
    );
    assert.equal(out[0], "0");
    assert.deepEqual(out[1].trim().split(/\s+/), ["0", String(hostUid()), "1"]);
    assert.deepEqual(out[2].trim().split(/\s+/), ["0", String(Deno.gid()), "1"]);
    assert.equal(out[3], "0:0", "a file of the host user is not root's inside");
    assert.equal(out[4], "65534", "the host's root is not unmapped (nobody) inside");
    assert.notEqual(out[5], Deno.readLinkSync("/proc/self/ns/user"));
    const made = Deno.statSync(`${dir}/from-container`);
    assert.equal(made.uid, hostUid());
    assert.equal(made.gid, Deno.gid());
  } finally {
    await removeTree(dir);
  }
});

testNeeds([requireSubidRange()], {
  name: "run maps container uids 1 and up to the user's subordinate uids on the host",
  async fn() {
    const uidStart = subidStart("/etc/subuid");
    const gidStart = subidStart("/etc/subgid");
    const dir = await Deno.makeTempDir({ prefix: "nook-test-subid-" });
    try {
      const out = lines(
        await shOk(
          "sed -n 2p /proc/self/uid_map; touch /vol/one /vol/tester; " +
            "chown 1:1 /vol/one; chown 1000:2000 /vol/tester; stat -c %u:%g /vol/one /vol/tester",
          ["-v", `${dir}:/vol`],
        ),
      );
      assert.deepEqual(out[0].trim().split(/\s+/).slice(0, 2), ["1", String(uidStart)]);
      assert.deepEqual(out.slice(1), ["1:1", "1000:2000"]);
      const one = Deno.statSync(`${dir}/one`);
      assert.deepEqual([one.uid, one.gid], [uidStart, gidStart]);
      const tester = Deno.statSync(`${dir}/tester`);
      assert.deepEqual([tester.uid, tester.gid], [uidStart + 999, gidStart + 1999]);
    } finally {
      await removeTree(dir);
    }
    assert.ok(!exists(dir), `'nook unshare rm -rf' did not remove ${dir}`);
  },
});

Deno.test("run keeps a mount made inside the container out of the host's mount table", async () => {
  const rootfs = await busyboxRootfs();
  const tag = `nook-test-tmpfs-${randomHex(6)}`;
  const mountsBefore = hostMounts();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${repoRoot()}/cli/main.ts`,
      "run",
      "-i",
      "--cap-add",
      "SYS_ADMIN",
      "-e",
      `NOOK_TEST_MARK=${MARK}`,
      "--rootfs",
      rootfs,
      "/bin/sh",
      "-c",
      `mount -t tmpfs ${tag} /tmp && grep -c ${tag} /proc/self/mountinfo && echo ready && ` +
      'read line && echo "got $line"',
    ],
    env: ENV,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let stdout = "";
  try {
    while (!stdout.includes("ready\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += decoder.decode(value, { stream: true });
    }
    if (stdout !== "1\nready\n") {
      assert.fail(`the container did not mount: ${JSON.stringify(stdout)} ${await stderr}`);
    }

    // While it runs: its tmpfs and nook's own mounts are in its namespace only.
    assert.equal(hostMounts(), mountsBefore, "the host's mount table changed during the run");
    const container = markedProcesses().find((p) => p.cmdline.startsWith("/bin/sh -c mount"));
    assert.ok(container, "the running container is not found by its mark");
    assert.ok(Deno.readTextFileSync(`/proc/${container.pid}/mountinfo`).includes(tag));
    assert.ok(!mountsBefore.includes(tag));
    assert.equal(runtimeLeftovers().length, 1, "no run directory while the container runs");

    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("go\n"));
    await writer.close();
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += decoder.decode(value, { stream: true });
    }
    const status = await child.status;
    assert.equal(status.code, 0, await stderr);
    assert.equal(stdout, "1\nready\ngot go\n");
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
    // On a failed assertion the container still waits for its line: end it.
    const ended = await Promise.race([child.status, Promise.resolve(null)]);
    if (ended === null) {
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel();
      await stderr;
    }
  }
  await assertNoLeftovers(mountsBefore, "the mounting container");
});

Deno.test("run gives the container its own IPC namespace without the host's SysV segments", async () => {
  const libc = Deno.dlopen("libc.so.6", {
    shmget: { parameters: ["i32", "usize", "i32"], result: "i32" },
    shmctl: { parameters: ["i32", "i32", "pointer"], result: "i32" },
  });
  const IPC_CREAT = 0o1000;
  const IPC_RMID = 0;
  const key = 0x4e000000 + Math.floor(Math.random() * 0xffffff);
  const shmid = libc.symbols.shmget(key, 4096n, IPC_CREAT | 0o600);
  try {
    assert.ok(shmid >= 0, "shmget failed on the host");
    const keysOf = (table: string) => lines(table).slice(1).map((l) => l.trim().split(/\s+/)[0]);
    assert.ok(keysOf(Deno.readTextFileSync("/proc/sysvipc/shm")).includes(String(key)));
    const out = await shOk("readlink /proc/self/ns/ipc; cat /proc/sysvipc/shm");
    const [ns, ...table] = out.split("\n");
    assert.match(ns, /^ipc:\[\d+\]$/);
    assert.notEqual(ns, Deno.readLinkSync("/proc/self/ns/ipc"));
    assert.match(table[0], /^\s*key\s+shmid/);
    assert.deepEqual(keysOf(table.join("\n")), [], "host segments are visible inside");
  } finally {
    if (shmid >= 0) libc.symbols.shmctl(shmid, IPC_RMID, null);
    libc.close();
  }
});

Deno.test("run gives the container only a loopback interface that is up, by default and with --network none", async () => {
  const hostNet = Deno.readLinkSync("/proc/self/ns/net");
  for (const flags of [[], ["--network", "none"], ["--net", "none"]]) {
    const out = lines(
      await shOk(
        "ls /sys/class/net; cat /sys/class/net/lo/operstate; cat /sys/class/net/lo/flags; " +
          "readlink /proc/self/ns/net; ip -o -4 addr show lo",
        flags,
      ),
    );
    const what = `nook run ${flags.join(" ")}`;
    assert.equal(out[0], "lo", `${what}: /sys/class/net has ${out[0]}`);
    assert.equal(out[1], "unknown", what);
    assert.equal(Number(out[2]) & 0x1, 0x1, `${what}: lo is not IFF_UP (flags ${out[2]})`);
    assert.notEqual(out[3], hostNet, `${what}: shares the host's network namespace`);
    assert.match(out[4], /inet 127\.0\.0\.1\/8/, what);
    assert.equal(out.length, 5, `${what}: ${JSON.stringify(out)}`);
  }
});

Deno.test("run --network host shows the host's interfaces and /etc/hosts", async () => {
  const hostIfaces = [...Deno.readDirSync("/sys/class/net")].map((e) => e.name).sort();
  const out = await shOk(
    'echo "$(ls /sys/class/net | tr "\\n" " ")"; readlink /proc/self/ns/net; cat /etc/hosts',
    ["--network", "host"],
  );
  const [ifaces, ns, ...hosts] = out.split("\n");
  assert.deepEqual(ifaces.trim().split(" ").sort(), hostIfaces);
  assert.ok(hostIfaces.some((name) => name !== "lo"), "the host has only lo: nothing to compare");
  assert.equal(ns, Deno.readLinkSync("/proc/self/ns/net"));
  assert.equal(hosts.join("\n"), Deno.readTextFileSync("/etc/hosts"));
});

Deno.test("run gives the container docker's /dev with host devices and a private devpts", async () => {
  const out = lines(
    await shOk(
      [
        'echo "ls=$(ls -A /dev | tr "\\n" " ")"',
        'for d in null zero full random urandom tty; do [ -c /dev/$d ] && echo "$d=$(stat -c %t:%T /dev/$d)"; done',
        'echo "links=$(for l in ptmx fd stdin stdout stderr core; do readlink /dev/$l; done | tr "\\n" " ")"',
        'echo x > /dev/null && echo "null-write=ok"',
        'echo "zero=$(head -c 3 /dev/zero | od -An -tx1)"',
        'echo x 2>/dev/null > /dev/full || echo "full=refused"',
        'echo "pts=$(ls -A /dev/pts | tr "\\n" " ")"',
        "exec 3<>/dev/ptmx",
        'echo "pts-after-open=$(ls -A /dev/pts | tr "\\n" " ")"',
        'echo shared > /dev/shm/f && echo "shm=$(cat /dev/shm/f)"',
        'echo "mqueue=$(grep " /dev/mqueue " /proc/self/mountinfo | cut -d" " -f9)"',
      ].join("\n"),
    ),
  );
  const got = Object.fromEntries(out.map((line) => line.split(/=(.*)/s).slice(0, 2)));
  assert.deepEqual(got.ls.trim().split(" "), DOCKER_DEV_ENTRIES);
  assert.deepEqual(
    [got.null, got.zero.trim(), got.full, got.random, got.urandom, got.tty],
    ["1:3", "00 00 00", "refused", "1:8", "1:9", "5:0"],
  );
  assert.equal(
    got.links.trim(),
    "pts/ptmx /proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2 /proc/kcore",
  );
  assert.deepEqual(got.pts.trim().split(" "), ["ptmx"], "devpts shows the host's ptys");
  assert.deepEqual(got["pts-after-open"].trim().split(" "), ["0", "ptmx"]);
  assert.equal(got.shm, "shared");
  assert.equal(got.mqueue, "mqueue");
  assert.equal(got["null-write"], "ok");
});

Deno.test("run masks docker's masked paths", async () => {
  const script = DOCKER_MASKED_PATHS.map((p) =>
    `if [ -d ${p} ]; then echo "${p} dir $(ls -A ${p} | wc -l)"; ` +
    `elif [ -e ${p} ]; then echo "${p} $( [ -c ${p} ] && stat -c %t:%T ${p}) $(wc -c < ${p})"; ` +
    `else echo "${p} absent"; fi`
  ).join("\n");
  const out = lines(await shOk(script));
  const inside = Object.fromEntries(out.map((line) => line.split(/ (.*)/s).slice(0, 2)));
  const present = DOCKER_MASKED_PATHS.filter(exists);
  const isDir = (path: string) => Deno.lstatSync(path).isDirectory;
  assert.ok(
    present.some(isDir) && present.some((path) => !isDir(path)),
    `only ${present} exist on this host: masking files and dirs is not both checked`,
  );
  for (const path of DOCKER_MASKED_PATHS) {
    if (!present.includes(path)) continue;
    const expected = isDir(path) ? "dir 0" : "1:3 0";
    assert.equal(inside[path], expected, `${path} is not masked inside`);
  }
  assert.ok(
    [...Deno.readDirSync("/sys/firmware")].length > 0,
    "the host's /sys/firmware is empty: the check proves nothing",
  );
});

Deno.test("run makes docker's read-only paths and /sys read-only, and the container cannot undo it", async () => {
  const script = [
    "cat /proc/self/mountinfo",
    "echo ---",
    "echo 1 > /proc/sys/net/ipv4/ip_forward",
    "echo 1500 > /sys/class/net/lo/mtu",
    "[ -e /proc/sysrq-trigger ] && echo h > /proc/sysrq-trigger",
    "umount /proc/sys",
    "mount -o remount,rw,bind /proc/sys",
    "umount /sys/firmware",
    "mount -o remount,rw /sys",
    "true",
  ].join("\n");
  const result = await sh(script);
  assert.equal(result.code, 0, result.stderr);
  const [mountinfo] = result.stdout.split("---\n");
  const optionsAt = (path: string) => {
    const entries = lines(mountinfo).map((line) => line.split(" "))
      .filter((fields) => fields[4] === path);
    return entries.at(-1)?.[5]?.split(",");
  };
  for (const path of [...DOCKER_READONLY_PATHS, "/sys"]) {
    if (!exists(path)) continue;
    assert.ok(optionsAt(path)?.includes("ro"), `${path} is not a read-only mount inside`);
  }
  assert.match(
    result.stderr,
    /can't create \/proc\/sys\/net\/ipv4\/ip_forward: Read-only file system/,
  );
  assert.match(result.stderr, /can't create \/sys\/class\/net\/lo\/mtu: Read-only file system/);
  if (exists("/proc/sysrq-trigger")) {
    assert.match(result.stderr, /can't create \/proc\/sysrq-trigger: Read-only file system/);
  }
  assert.match(result.stderr, /umount: can't unmount \/proc\/sys: Operation not permitted/);
  assert.match(result.stderr, /umount: can't unmount \/sys\/firmware: Operation not permitted/);
  assert.equal(result.stderr.match(/^mount: /gm)?.length, 2, result.stderr);
});

Deno.test("run gives the container init-layer /etc files and leaves the rootfs's own unchanged", async () => {
  const rootfs = await copyRootfs();
  const vol = await Deno.makeTempDir({ prefix: "nook-test-vol-" });
  try {
    await Deno.writeTextFile(`${rootfs}/etc/hosts`, "10.9.8.7\trootfs-own-hosts\n");
    for (const name of ["hostname", "resolv.conf"]) {
      await Deno.remove(`${rootfs}/etc/${name}`).catch(() => {});
    }
    const before = await snapshot(rootfs);

    const out = await shOk(
      "cat /etc/hosts; echo ---; cat /etc/hostname; echo ---; cat /etc/resolv.conf; " +
        "echo appended >> /etc/hosts; echo renamed > /etc/hostname; echo x >> /etc/resolv.conf",
      ["-v", `${vol}:/mnt/vol`, "--hostname", "box"],
      rootfs,
    );
    const [hosts, hostname, resolv] = out.split("---\n");
    assert.match(hosts, /^127\.0\.0\.1\tlocalhost$/m);
    assert.match(hosts, /^::1\tlocalhost/m);
    assert.match(hosts, /^127\.0\.1\.1\tbox$/m);
    assert.ok(!hosts.includes("rootfs-own-hosts"), "the rootfs's own /etc/hosts is visible");
    assert.equal(hostname, "box\n");
    const hostNameservers = lines(Deno.readTextFileSync("/etc/resolv.conf"))
      .filter((l) => /^\s*nameserver\s+/.test(l) && !/\s(127\.|::1)/.test(l));
    for (const line of hostNameservers) assert.ok(resolv.includes(line), `missing ${line}`);
    assert.ok(!/^\s*nameserver\s+127\./m.test(resolv), "a loopback nameserver in a netns");

    const hostMode = await shOk("cat /etc/hosts", ["--read-only", "--network", "host"], rootfs);
    assert.equal(hostMode, Deno.readTextFileSync("/etc/hosts"), "--network host: not the host's");

    const after = await snapshot(rootfs);
    // Mountpoints nook may create: empty files for the init layer, empty dirs for volumes.
    const newOk: Record<string, string> = {
      "/etc/hostname": "file",
      "/etc/resolv.conf": "file",
      "/mnt": "dir",
      "/mnt/vol": "dir",
    };
    const mtimeMayChange = new Set(["/", "/etc", "/mnt"]);
    const problems: string[] = [];
    for (const [path, was] of before) {
      const now = after.get(path);
      if (now === was) continue;
      const sameButMtime = now !== undefined && mtimeMayChange.has(path) &&
        now.split(" ").filter((_, i) => i !== 4).join(" ") ===
          was.split(" ").filter((_, i) => i !== 4).join(" ");
      if (!sameButMtime) problems.push(`${path}: ${was} -> ${now ?? "deleted"}`);
    }
    for (const [path, now] of after) {
      if (before.has(path)) continue;
      const [type, , , size] = now.split(" ");
      // A new dir may hold only other new mountpoints; a new file must be empty.
      const onlyMountpoints = type === "dir" &&
        [...Deno.readDirSync(rootfs + path)].every((e) => `${path}/${e.name}` in newOk);
      if (newOk[path] !== type || (type === "file" ? size !== "0" : !onlyMountpoints)) {
        problems.push(`${path}: created ${now}`);
      }
    }
    assert.deepEqual(problems, [], "the runs changed the rootfs");
    assert.equal(Deno.readTextFileSync(`${rootfs}/etc/hosts`), "10.9.8.7\trootfs-own-hosts\n");
  } finally {
    await removeTree(vol);
    await removeTree(rootfs);
  }
});

Deno.test("run --read-only makes the root read-only but keeps /dev/shm and --tmpfs writable", async () => {
  const rootfs = await busyboxRootfs();
  const tag = `ro-${randomHex(4)}`;
  const result = await sh(
    `touch /${tag} || echo root-refused; touch /tmp/${tag} || echo tmp-refused; ` +
      `echo hi > /dev/shm/${tag} && echo shm-ok; grep " / " /proc/self/mountinfo | cut -d" " -f6`,
    ["--read-only"],
  );
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(lines(result.stdout).slice(0, 3), ["root-refused", "tmp-refused", "shm-ok"]);
  assert.ok(lines(result.stdout)[3].split(",").includes("ro"));
  assert.match(result.stderr, new RegExp(`touch: /${tag}: Read-only file system`));
  assert.ok(!exists(`${rootfs}/${tag}`) && !exists(`${rootfs}/tmp/${tag}`));

  const withTmpfs = await shOk(
    `touch /tmp/${tag} && echo tmp-ok; touch /${tag} 2>/dev/null || echo root-refused`,
    ["--read-only", "--tmpfs", "/tmp"],
  );
  assert.deepEqual(lines(withTmpfs), ["tmp-ok", "root-refused"]);
  assert.ok(!exists(`${rootfs}/tmp/${tag}`), "the --tmpfs write landed in the rootfs");

  const writable = await shOk(`touch /tmp/${tag} && echo tmp-ok && rm /tmp/${tag}`);
  assert.equal(writable, "tmp-ok\n", "without --read-only the rootfs should be writable");
});

/** A rootfs whose mount targets are symlinks out of it, and what must hold. */
interface EscapeCase {
  /** Test name. */
  name: string;
  /** Makes the symlinks in the rootfs copy; `decoy` is an empty host dir outside it. */
  setup(rootfs: string, decoy: string): Promise<void>;
  /** Flags of the run (`decoy` and a fresh volume dir `vol` given). */
  flags?(decoy: string, vol: string): string[];
  /** The container's script. */
  script: string;
  /** Host paths that must not change (the decoy is always watched). */
  watched?(decoy: string): string[];
  /** Checks a run that worked: it must have landed inside the rootfs. */
  worked(stdout: string, rootfs: string, decoy: string): void;
}

/**
 * Runs an {@linkcode EscapeCase} in a fresh rootfs copy: the run either works
 * with everything inside the rootfs or is refused with exit 125, and nothing
 * on the host changes (run() checks the host's mount table too).
 */
async function checkEscape(c: EscapeCase): Promise<void> {
  const rootfs = await copyRootfs();
  const decoy = await Deno.makeTempDir({ prefix: "nook-test-decoy-" });
  const vol = await Deno.makeTempDir({ prefix: "nook-test-vol-" });
  try {
    await c.setup(rootfs, decoy);
    const watched = [decoy, ...(c.watched?.(decoy) ?? [])];
    const before = await hostStates(watched);
    const rootfsBefore = await snapshot(rootfs);
    const result = await sh(c.script, c.flags?.(decoy, vol) ?? [], rootfs);
    assertWorkedOrRefused(result, (stdout) => c.worked(stdout, rootfs, decoy));
    assert.deepEqual(await hostStates(watched), before, "a host path changed");
    const rootfsAfter = await snapshot(rootfs);
    for (const path of rootfsBefore.keys()) {
      assert.ok(rootfsAfter.has(path), `${path} was deleted from the rootfs`);
    }
  } finally {
    await removeTree(vol);
    await removeTree(decoy);
    await removeTree(rootfs);
  }
}

async function replaceWithSymlink(path: string, target: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch(() => {});
  await Deno.symlink(target, path);
}

/** A host path that does not exist; a rootfs's /proc points to it. */
const HOST_PROC = `/tmp/hostproc-${randomHex(6)}`;

const ESCAPE_CASES: EscapeCase[] = [
  {
    name: "run binds the init layer through an /etc/hosts -> /etc/passwd symlink inside the rootfs",
    setup: (rootfs) => replaceWithSymlink(`${rootfs}/etc/hosts`, "/etc/passwd"),
    script: "cat /etc/hosts; echo ---; cat /etc/passwd",
    watched: () => ["/etc/passwd", "/etc/hosts", "/etc"],
    worked(stdout, rootfs) {
      const [hosts, passwd] = stdout.split("---\n");
      assert.match(hosts, /^127\.0\.0\.1\tlocalhost$/m);
      assert.equal(passwd, hosts, "not bound on the rootfs's own /etc/passwd");
      assert.match(Deno.readTextFileSync(`${rootfs}/etc/passwd`), /^tester:x:1000:/m);
    },
  },
  {
    name: "run never creates /etc/resolv.conf through a symlink to a host-only dir",
    setup: (rootfs, decoy) =>
      replaceWithSymlink(`${rootfs}/etc/resolv.conf`, `${decoy}/resolv.conf`),
    script: "cat /etc/resolv.conf > /dev/null && echo ok",
    worked(stdout, rootfs, decoy) {
      assert.equal(stdout, "ok\n");
      assert.ok(exists(`${rootfs}${decoy}/resolv.conf`), "the mountpoint is not inside the rootfs");
    },
  },
  {
    name: "run never creates a /tmp/hostproc-* path on the host for a /proc symlink to it",
    setup: (rootfs) => replaceWithSymlink(`${rootfs}/proc`, HOST_PROC),
    script: "ls /proc/self/ns",
    watched: () => [HOST_PROC],
    worked(stdout, rootfs) {
      assert.match(stdout, /\bpid\b/);
      assert.ok(exists(`${rootfs}${HOST_PROC}`), "/proc is not inside the rootfs");
    },
  },
  {
    name: "run never mounts /proc through a symlink to an existing host dir",
    setup: (rootfs, decoy) => replaceWithSymlink(`${rootfs}/proc`, decoy),
    script: "ls /proc/self/ns",
    worked(stdout, rootfs, decoy) {
      assert.match(stdout, /\bpid\b/);
      assert.ok(exists(`${rootfs}${decoy}`), "/proc is not inside the rootfs");
    },
  },
  {
    name: "run never mounts /dev through a symlink to an existing host dir",
    setup: async (rootfs, decoy) => {
      await Deno.writeTextFile(`${decoy}/keep`, "decoy\n");
      await replaceWithSymlink(`${rootfs}/dev`, decoy);
    },
    script: "ls /dev",
    watched: (decoy) => [`${decoy}/keep`],
    worked(stdout) {
      assert.ok(!stdout.includes("keep"), "the host's decoy is the container's /dev");
      assert.match(stdout, /\bnull\b/);
    },
  },
  {
    name: "run resolves a /sys -> ../../../../.. symlink inside the rootfs",
    setup: (rootfs) => replaceWithSymlink(`${rootfs}/sys`, "../../../../.."),
    script:
      "ls /bin/sh /etc/passwd; ls /sys/class/net; [ -d /sys/firmware ] && ls -A /sys/firmware | wc -l",
    watched: () => ["/", "/fs", "/firmware", "/class"],
    worked(stdout) {
      assert.equal(
        stdout,
        "/bin/sh\n/etc/passwd\nlo\n0\n",
        "the rootfs, sysfs or the mask is wrong",
      );
    },
  },
  {
    name: "run mounts --tmpfs through a symlink to an existing host dir inside the rootfs",
    setup: (rootfs, decoy) => Deno.symlink(decoy, `${rootfs}/cache`),
    flags: () => ["--tmpfs", "/cache"],
    script: "touch /cache/f && echo ok",
    worked(stdout, rootfs, decoy) {
      assert.equal(stdout, "ok\n");
      assert.ok(exists(`${rootfs}${decoy}`), "the tmpfs is not inside the rootfs");
    },
  },
  {
    name: "run creates a -w dir through a symlink to a host-only dir inside the rootfs",
    setup: (rootfs, decoy) => Deno.symlink(`${decoy}/work`, `${rootfs}/work`),
    flags: () => ["-w", "/work/sub"],
    script: "pwd",
    worked(stdout, rootfs, decoy) {
      assert.equal(stdout, "/work/sub\n");
      assert.ok(exists(`${rootfs}${decoy}/work/sub`), "the working dir is not inside the rootfs");
    },
  },
  {
    name: "run binds -v through a symlink to an existing host dir inside the rootfs",
    setup: (rootfs, decoy) => Deno.symlink(decoy, `${rootfs}/mnt`),
    flags: (_decoy, vol) => ["-v", `${vol}:/mnt/vol`],
    script: "touch /mnt/vol/f && echo ok",
    worked(stdout, rootfs, decoy) {
      assert.equal(stdout, "ok\n");
      assert.ok(exists(`${rootfs}${decoy}/vol`), "the volume is not inside the rootfs");
    },
  },
];

for (const c of ESCAPE_CASES) Deno.test(c.name, () => checkEscape(c));

Deno.test("run -v onto a symlink /data -> /etc mounts on the rootfs's /etc, not the host's", async () => {
  const rootfs = await copyRootfs();
  const vol = await Deno.makeTempDir({ prefix: "nook-test-vol-" });
  const tag = `marker-${randomHex(4)}`;
  try {
    await Deno.symlink("/etc", `${rootfs}/data`);
    await Deno.writeTextFile(`${vol}/${tag}`, "from the volume\n");
    const hostEtc = await hostState("/etc");
    const out = await shOk(
      `ls /etc; echo ---; cat /data/${tag}; echo new > /data/new-${tag}`,
      ["-v", `${vol}:/data`],
      rootfs,
    );
    const [etc, content] = out.split("---\n");
    assert.ok(lines(etc).includes(tag), `the volume is not on the container's /etc: ${etc}`);
    assert.ok(!lines(etc).includes("passwd"), "the rootfs's /etc is still visible");
    assert.equal(content, "from the volume\n");
    assert.equal(Deno.readTextFileSync(`${vol}/new-${tag}`), "new\n");
    assert.equal(await hostState("/etc"), hostEtc);
    assert.ok(!exists(`/etc/${tag}`) && !exists(`/etc/new-${tag}`));
    assert.ok(exists(`${rootfs}/etc/passwd`) && !exists(`${rootfs}/etc/new-${tag}`));
  } finally {
    await removeTree(vol);
    await removeTree(rootfs);
  }
});

Deno.test("run -v with a target of /../../.. mounts inside the rootfs", async () => {
  const rootfs = await copyRootfs();
  const vol = await Deno.makeTempDir({ prefix: "nook-test-vol-" });
  const escape = `/tmp/nook-escape-${randomHex(6)}`;
  try {
    await Deno.writeTextFile(`${vol}/marker`, "vol\n");
    const out = await shOk(`cat ${escape}/marker`, [
      "-v",
      `${vol}:/../../../../..${escape}`,
    ], rootfs);
    assert.equal(out, "vol\n");
    assert.ok(exists(`${rootfs}${escape}`), "the volume's mountpoint is not inside the rootfs");
    assert.ok(!exists(escape), `${escape} was created on the host`);
  } finally {
    await removeTree(vol);
    await removeTree(rootfs);
  }
});

Deno.test("run reports a failed setup step with exit 125 and leaves no process, mount or run dir", async () => {
  const rootfs = await copyRootfs();
  try {
    await Deno.remove(`${rootfs}/proc`);
    await Deno.writeTextFile(`${rootfs}/proc`, "not a directory\n");
    // run() checks the host's mounts, the runtime dir and marked processes afterwards.
    const result = await sh("touch /ran", [], rootfs);
    assert.equal(result.code, 125, JSON.stringify(result));
    assert.match(result.stderr, /^nook: .*mount proc on \/proc: Not a directory/m);
    assert.equal(result.stdout, "");
    assert.ok(!exists(`${rootfs}/ran`), "the command ran despite the failed step");
    assert.equal(Deno.readTextFileSync(`${rootfs}/proc`), "not a directory\n");
  } finally {
    await removeTree(rootfs);
  }
});

Deno.test("run takes the container down when nook itself is killed", async () => {
  const mountsBefore = hostMounts();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${repoRoot()}/cli/main.ts`,
      "run",
      "-e",
      `NOOK_TEST_MARK=${MARK}`,
      "--rootfs",
      await busyboxRootfs(),
      "/bin/sh",
      "-c",
      "sleep 60; echo late",
    ],
    env: ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  try {
    let sleeper: MarkedProcess | undefined;
    for (let i = 0; i < 200 && !sleeper; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      sleeper = markedProcesses().find((p) => p.cmdline === "sleep 60");
    }
    assert.ok(sleeper, "the container's sleep never started");
    child.kill("SIGKILL");
    assert.equal((await child.status).signal, "SIGKILL");
    // A killed nook cannot remove its run dir; nothing else may be left.
    for (const name of runtimeLeftovers()) {
      await Deno.remove(`${nookRuntimeDir()}/${name}`, { recursive: true });
    }
    await assertNoLeftovers(mountsBefore, "the killed nook");
    assert.equal(await stdout, "");
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
  }
});

Deno.test("runs leave only warned-* markers and the user namespace anchor's files in the runtime directory", async () => {
  await shOk("true");
  assert.ok(exists(nookRuntimeDir()), "nook did not use XDG_RUNTIME_DIR/nook");
  const all = [...Deno.readDirSync(nookRuntimeDir())].map((e) => e.name);
  assert.deepEqual(
    all.filter((name) => !name.startsWith("warned-") && !name.startsWith("anchor-userns")),
    [],
  );
});
