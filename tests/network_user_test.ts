// User-defined networks end to end, as the unprivileged test user: two
// containers on one network reach each other by name and by address, a third
// on another network cannot, `network rm` of a network in use is refused, and
// nothing (infrastructure process, veth) is left once the containers are gone.
// Only test-made namespaces are reached.
import assert from "node:assert/strict";
import { busyboxRootfs, nook, repoRoot } from "./helpers.ts";

const root = Deno.makeTempDirSync({ prefix: "nook-network-user-test-" });
const env = { NOOK_ROOT: root, PATH: `${Deno.env.get("PATH")}:/usr/sbin:/sbin` };

globalThis.addEventListener("unload", () => {
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${repoRoot()}/cli/main.ts`, "unshare", "rm", "-rf", root],
  }).outputSync();
});

async function ok(args: string[]): Promise<string> {
  const r = await nook(args, { env });
  assert.equal(r.code, 0, `nook ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Pids of the processes whose command line contains `text`, and which we may see. */
function processesWith(text: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(text)) out.push(Number(e.name));
    } catch {
      // gone
    }
  }
  return out;
}

function infraPid(network: string): number {
  const state = Deno.readTextFileSync(`${root}/networks/${network}/state`);
  return Number(/^pid (\d+)$/m.exec(state)?.[1]);
}

Deno.test("containers on a network find each other by name; another network is apart; nothing is left", async () => {
  const rootfs = await busyboxRootfs();
  const www = Deno.makeTempDirSync({ prefix: "nook-network-www-" });
  Deno.writeTextFileSync(`${www}/index.html`, "served over the network\n");
  try {
    assert.equal(await ok(["network", "create", "front"]), "front\n");
    await ok(["network", "create", "--subnet", "10.89.77.0/24", "back"]);
    const ls = await ok(["network", "ls"]);
    assert.match(ls, /front\s+bridge\s+10\.89\.\d+\.0\/24/);
    assert.match(ls, /back\s+bridge\s+10\.89\.77\.0\/24/);
    const dup = await nook(["network", "create", "front"], { env });
    assert.equal(dup.code, 125);
    assert.match(dup.stderr, /already exists/);

    await ok([
      "run",
      "-d",
      "--name",
      "web",
      "--network",
      "front",
      "-v",
      `${www}:/www:ro`,
      "--rootfs",
      rootfs,
      "httpd",
      "-f",
      "-p",
      "80",
      "-h",
      "/www",
    ]);
    const webIp = JSON.parse(await ok(["network", "inspect", "front"]))[0];
    assert.equal(Object.values(webIp.Containers).length, 1);
    // By name, from a second container on the same network.
    const page = await ok([
      "run",
      "--rm",
      "--name",
      "client",
      "--network",
      "front",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      // httpd may still be starting: a few tries.
      "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://web/ && break; sleep 0.3; done; " +
      "grep -cw web /etc/hosts; ip -4 -o addr show eth0",
    ]);
    const [body, count, addr] = page.split("\n");
    assert.equal(body, "served over the network");
    assert.equal(count, "1");
    assert.match(addr, /inet 10\.89\.\d+\.3\/24/);
    // The running web container learnt the client's name while it ran, and forgot it after.
    assert.doesNotMatch(await ok(["exec", "web", "cat", "/etc/hosts"]), /client/);
    const webAddr = (await ok(["exec", "web", "sh", "-c", "ip -4 -o addr show eth0"]))
      .match(/inet (\S+)\//)![1];
    // By address from the other network: no route.
    const apart = await nook([
      "run",
      "--rm",
      "--name",
      "outsider",
      "--network",
      "back",
      "--rootfs",
      rootfs,
      "sh",
      "-c",
      `nc -w 2 ${webAddr} 80 </dev/null && echo reached || echo unreachable`,
    ], { env });
    assert.equal(apart.stdout, "unreachable\n", apart.stderr);
    assert.match(apart.stdout + (await ok(["network", "inspect", "back"])), /10\.89\.77\.0\/24/);

    // In use: refused, and the network stays.
    const inUse = await nook(["network", "rm", "front"], { env });
    assert.equal(inUse.code, 125);
    assert.match(inUse.stderr, /in use by running container web/);
    const infra = infraPid("front");
    assert.ok(processesWith("sleep infinity").includes(infra), "the network's process runs");
    const veths = new TextDecoder().decode(
      new Deno.Command("nsenter", {
        args: ["-t", String(infra), "-U", "-n", "--preserve-credentials", "ip", "-o", "link"],
        env,
      }).outputSync().stdout,
    );
    assert.match(veths, /nk[0-9a-f]{10}@/, "web's veth is on the bridge");

    await ok(["rm", "-f", "web"]);
    assert.ok(!processesWith("sleep infinity").includes(infra), "the network's process ended");
    assert.equal(await ok(["network", "rm", "front", "back"]), "front\nback\n");
    assert.equal(await ok(["network", "ls", "-q"]), "");
  } finally {
    await nook(["rm", "-f", "web"], { env });
    await nook(["network", "rm", "front", "back"], { env });
    Deno.removeSync(www, { recursive: true });
  }
});

Deno.test("bad network input: unknown network, bad subnet, overlap, reserved name", async () => {
  const rootfs = await busyboxRootfs();
  const unknown = await nook([
    "run",
    "--rm",
    "--name",
    "lost",
    "--network",
    "nosuch",
    "--rootfs",
    rootfs,
    "true",
  ], { env });
  assert.equal(unknown.code, 125);
  assert.match(unknown.stderr, /No such network: nosuch/);
  const bad = await nook(["network", "create", "--subnet", "10.1.2.3/24", "x1"], { env });
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /host bits are set; did you mean 10\.1\.2\.0\/24/);
  await ok(["network", "create", "--subnet", "10.90.0.0/16", "wide"]);
  try {
    const clash = await nook(["network", "create", "--subnet", "10.90.5.0/24", "inner"], { env });
    assert.equal(clash.code, 125);
    assert.match(clash.stderr, /overlaps network 'wide'/);
  } finally {
    await ok(["network", "rm", "wide"]);
  }
  const reserved = await nook(["network", "create", "host"], { env });
  assert.equal(reserved.code, 125);
  assert.match(reserved.stderr, /reserved/);
  assert.equal(await ok(["ps", "-aq"]), "");
});
