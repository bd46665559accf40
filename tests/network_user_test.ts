// User-defined networks end to end, as the unprivileged test user: two
// containers on one network reach each other by name and by address, a third
// on another network cannot, `network rm` of a network in use is refused, and
// nothing (infrastructure process, veth) is left once the containers are gone.
// Only test-made namespaces are reached. Each test needs the host tools it names
// (testNeeds): skipped where they are missing, failing with CI=true.
import assert from "node:assert/strict";
import {
  busyboxRootfs,
  httpGetScript,
  type Need,
  nook,
  repoRoot,
  requireTool,
  testNeeds,
} from "./helpers.ts";

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

/** What a network with a way out needs: its bridge and veths (ip), its masquerade (nft). */
const NETWORK: Need[] = [
  requireTool("ip", "iproute2"),
  requireTool("nsenter", "util-linux"),
  requireTool("nft", "nftables"),
];
const SLIRP4NETNS = requireTool("slirp4netns", "slirp4netns");
const PASTA = requireTool("pasta", "passt");

function infraPid(network: string): number {
  const state = Deno.readTextFileSync(`${root}/networks/${network}/state`);
  return Number(/^pid (\d+)$/m.exec(state)?.[1]);
}

testNeeds(NETWORK, {
  name:
    "containers on a network find each other by name; another network is apart; nothing is left",
  fn: async () => {
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
        `for i in 1 2 3 4 5 6 7 8 9 10; do ${
          httpGetScript("http://web/")
        } && break; sleep 0.3; done; ` +
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
      // By address from the other network: rejected in the other network's namespace (its way
      // out would otherwise take the connection to the host, whose network may accept anything).
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
        `${httpGetScript(`http://${webAddr}/`)} 2>&1; echo "rc=$?"; ${
          httpGetScript(`http://${webAddr.replace(/\.\d+$/, ".1")}/`)
        } 2>&1`,
      ], { env });
      assert.doesNotMatch(apart.stdout, /served over the network/);
      assert.match(apart.stdout, /rc=1/);
      assert.match(
        apart.stdout,
        /can't connect to remote host \(10\.89\.\d+\.2\): No route to host/,
      );
      assert.match(
        apart.stdout,
        /can't connect to remote host \(10\.89\.\d+\.1\): No route to host/,
      );
      assert.match(await ok(["network", "inspect", "back"]), /10\.89\.77\.0\/24/);

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
  },
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

/** Whether a process runs (a zombie whose parent does not reap it has ended). */
function running(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1][0] !== "Z";
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (bound and let go). */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The pid of the network helper attached to process `target`, if one runs. */
function helperOf(target: number): number | undefined {
  return processesWith(` ${target}`).find((pid) => {
    const cmd = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    return /(slirp4netns|pasta)$/.test(cmd[0]) && cmd.includes(String(target));
  });
}

/** Pids of our processes in the network namespace `ns` ("net:[INODE]"). */
function processesInNetns(ns: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      if (Deno.readLinkSync(`/proc/${e.name}/ns/net`) === ns) out.push(Number(e.name));
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

async function fetchText(url: string): Promise<string> {
  for (let i = 0;; i++) {
    try {
      return await (await fetch(url)).text();
    } catch (err) {
      if (i >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

testNeeds([...NETWORK, SLIRP4NETNS], {
  name:
    "a network's way out reaches the host's loopback only when allowed; its helper goes with the last member",
  fn: async () => {
    const rootfs = await busyboxRootfs();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response("page from the host\n"),
    );
    const port = server.addr.port;
    try {
      await ok(["network", "create", "--opt", "allow_host_loopback=true", "out"]);
      await ok(["network", "create", "closed"]);
      const inside = await ok([
        "run",
        "--rm",
        "--name",
        "reacher",
        "--network",
        "out",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        `${
          httpGetScript(`http://host.containers.internal:${port}/`)
        }; cat /etc/hosts /etc/resolv.conf`,
      ]);
      assert.match(inside, /^page from the host\n/);
      assert.match(inside, /^10\.0\.2\.2\thost\.containers\.internal/m);
      assert.doesNotMatch(inside, /^nameserver 127\./m);
      // Without the option: no name, and the address leads nowhere.
      const closed = await nook([
        "run",
        "--rm",
        "--name",
        "shut",
        "--network",
        "closed",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        `grep -c host.containers.internal /etc/hosts; ${
          httpGetScript(`http://10.0.2.2:${port}/`)
        } 2>&1`,
      ], { env });
      assert.doesNotMatch(closed.stdout, /page from the host/);
      assert.match(closed.stdout, /^0\n/);
      assert.match(closed.stdout, /can't connect to remote host \(10\.0\.2\.2\)/);

      // The helper lives with the network's process, and both end with the last member.
      await ok([
        "run",
        "-d",
        "--name",
        "holder",
        "--network",
        "out",
        "--rootfs",
        rootfs,
        "sleep",
        "60",
      ]);
      const infra = infraPid("out");
      const helper = helperOf(infra);
      assert.ok(helper, "a helper is attached to the network's process");
      const netns = Deno.readLinkSync(`/proc/${infra}/ns/net`);
      const monitor = Number(
        Deno.readTextFileSync(`/proc/${infra}/stat`).split(") ")[1].split(" ")[1],
      );
      assert.ok(processesInNetns(netns).includes(infra));
      await ok(["rm", "-f", "holder"]);
      for (
        const [what, pid] of [["network process", infra], ["helper", helper], ["monitor", monitor]]
      ) {
        assert.ok(!running(pid as number), `the ${what} (pid ${pid}) ended`);
      }
      assert.equal(helperOf(infra), undefined);
      assert.deepEqual(processesInNetns(netns), [], `nothing is left in ${netns}`);
      assert.deepEqual(
        processesWith(
          `/n/${JSON.parse(await ok(["network", "inspect", "out"]))[0].Id.slice(0, 12)}/`,
        ),
        [],
      );
    } finally {
      await nook(["rm", "-f", "holder"], { env });
      await nook(["network", "rm", "out", "closed"], { env });
      await server.shutdown();
    }
  },
});

testNeeds([...NETWORK, PASTA], {
  name:
    "a network whose way out is pasta reaches the host's loopback when allowed, and takes no ports",
  fn: async () => {
    const rootfs = await busyboxRootfs();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response("page from the host\n"),
    );
    const port = server.addr.port;
    try {
      // pasta as the way out reaches the host's loopback; it cannot take ports while it runs.
      await ok([
        "network",
        "create",
        "-o",
        "helper=pasta",
        "-o",
        "allow_host_loopback",
        "viapasta",
      ]);
      const page = await ok([
        "run",
        "--rm",
        "--name",
        "pastareacher",
        "--network",
        "viapasta",
        "--rootfs",
        rootfs,
        "sh",
        "-c",
        httpGetScript(`http://host.containers.internal:${port}/`),
      ]);
      assert.equal(page, "page from the host\n");
      const refused = await nook(
        [
          "run",
          "--rm",
          "--name",
          "pp",
          "--network",
          "viapasta",
          "-p",
          "127.0.0.1:9:80",
          "--rootfs",
          rootfs,
          "true",
        ],
        { env },
      );
      assert.equal(refused.code, 125);
      assert.match(refused.stderr, /its way out is pasta, which cannot publish ports/);
    } finally {
      await nook(["network", "rm", "viapasta"], { env });
      await server.shutdown();
    }
  },
});

testNeeds([...NETWORK, SLIRP4NETNS], {
  name:
    "-p on a network: the host fetches a member's page; taken ports fail; stop and rm withdraw them",
  fn: async () => {
    const rootfs = await busyboxRootfs();
    const www = Deno.makeTempDirSync({ prefix: "nook-network-www-" });
    Deno.writeTextFileSync(`${www}/index.html`, "published from a network\n");
    const port = freePort();
    const httpd = (name: string) => [
      "run",
      "-d",
      "--name",
      name,
      "--network",
      "pub",
      "-p",
      `127.0.0.1:${port}:80`,
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
    ];
    try {
      await ok(["network", "create", "pub"]);
      await ok(httpd("pweb"));
      assert.equal(await fetchText(`http://127.0.0.1:${port}/`), "published from a network\n");
      assert.equal(await ok(["port", "pweb"]), `80/tcp -> 127.0.0.1:${port}\n`);
      assert.match(await ok(["ps"]), new RegExp(`127\\.0\\.0\\.1:${port}->80/tcp\\s+pweb`));
      // A network made later, outside 10.89.0.0/16, is kept apart from the running one too.
      await ok(["network", "create", "--subnet", "172.31.250.0/24", "far"]);
      await ok([
        "run",
        "-d",
        "--name",
        "farweb",
        "--network",
        "far",
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
      const across = await nook(
        ["exec", "pweb", "sh", "-c", `${httpGetScript("http://172.31.250.2/")} 2>&1`],
        { env },
      );
      assert.doesNotMatch(across.stdout, /published from a network/);
      assert.match(
        across.stdout,
        /can't connect to remote host \(172\.31\.250\.2\): No route to host/,
      );
      await ok(["rm", "-f", "farweb"]);

      // The same host port for a second member: refused, naming the port; nothing of it runs.
      const taken = await nook(httpd("pweb2"), { env });
      assert.equal(taken.code, 125);
      assert.match(taken.stderr, new RegExp(`127\\.0\\.0\\.1:${port}/tcp.*already in use`));
      assert.doesNotMatch(await ok(["ps", "-q"]), /\n.+\n/);
      // Stopped: the host port is free again; started: published again.
      await ok(["stop", "-t", "0", "pweb"]);
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      await ok(["start", "pweb"]);
      assert.equal(await fetchText(`http://127.0.0.1:${port}/`), "published from a network\n");
      const infra = infraPid("pub");
      await ok(["rm", "-f", "pweb"]);
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      assert.ok(!running(infra), "the network's process ended");
    } finally {
      await nook(["rm", "-f", "pweb", "pweb2", "farweb"], { env });
      await nook(["network", "rm", "pub", "far"], { env });
      Deno.removeSync(www, { recursive: true });
    }
  },
});
