// `nook run` details that scripts written for docker and podman rely on
// (issue 15): `--entrypoint` as a JSON array, /run/.containerenv and
// /.dockerenv, `--rmi`, `-a/--attach`, `--preserve-fds`, `--timeout`,
// `--hostuser` and keep-id's /etc/passwd entry, `--kernel-memory`, a `run -d`
// that cannot publish its port, and the exit codes of `start` and `exec` for a
// command that cannot run. As the unprivileged test user, against real
// containers from a local registry's busybox image; every test works in its
// own store and removes what it started.
import assert from "node:assert/strict";
import { hostUid, repoRoot, storesRoot } from "./helpers.ts";
import { pushBusyboxImage, startRegistry, type TestRegistry } from "./registry_helpers.ts";
import { HEX64, TestStore, withTestStore } from "./store_helpers.ts";

const root = storesRoot("nook-run-compat-test-");
let registry: TestRegistry | undefined;
let image: Promise<string> | undefined;

/** A busybox image in a local registry, pushed once for the file. */
function busyboxImage(): Promise<string> {
  image ??= (async () => {
    registry = await startRegistry();
    return (await pushBusyboxImage(registry.host, "test/busybox", "latest")).reference;
  })();
  return image;
}

globalThis.addEventListener("unload", () => registry?.stop());

/** Runs `fn` with a fresh store named `name` (the image pulled) and removes what it started. */
async function withStore(
  name: string,
  fn: (s: TestStore, image: string) => Promise<void>,
): Promise<void> {
  const ref = await busyboxImage();
  await withTestStore(new TestStore(root, name), async (s) => {
    await s.ok(["pull", "-q", ref]);
    await fn(s, ref);
  });
}

/** busybox's own applets by their full name (the image links only a few). */
const BB = "/bin/busybox";

/** The host's /etc/passwd entry of this user. */
function myEntry(): { name: string; uid: number } {
  const uid = hostUid();
  for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
    const f = line.split(":");
    if (Number(f[2]) === uid) return { name: f[0], uid };
  }
  throw new Error(`uid ${uid} has no entry in the host's /etc/passwd`);
}

Deno.test("run --entrypoint takes a JSON array as the argv (as podman), any other value as one program", async () => {
  await withStore("entrypoint", async (s, ref) => {
    const json = await s.run(["run", "--rm", '--entrypoint=["/bin/echo","a  b","c"]', ref]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stdout, "a  b c\n");
    // With arguments after the image: they follow the array.
    assert.equal(await s.ok(["run", "--rm", '--entrypoint=["/bin/echo"]', ref, "x"]), "x\n");
    // A plain value is one program, not split at spaces.
    const plain = await s.run(["run", "--rm", "--entrypoint", "/bin/echo x", ref]);
    assert.equal(plain.code, 127);
    assert.match(plain.stderr, /exec "\/bin\/echo x": no such file or directory/);
    const bad = await s.run(["run", "--rm", '--entrypoint=["/bin/echo",1]', ref]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /JSON array of strings/);
    // The array is kept: a created container starts with it.
    await s.ok(["create", "--name", "made", '--entrypoint=["/bin/echo","from","create"]', ref]);
    assert.equal(await s.ok(["start", "-a", "made"]), "from create\n");
  });
});

Deno.test("every container from an image has an empty /run/.containerenv and /.dockerenv, which diff does not list", async () => {
  await withStore("containerenv", async (s, ref) => {
    const stat = [BB, "stat", "-c", "%s %F %n", "/run/.containerenv", "/.dockerenv"];
    const out = await s.ok(["run", "--name", "marked", ref, ...stat]);
    assert.equal(
      out,
      "0 regular empty file /run/.containerenv\n0 regular empty file /.dockerenv\n",
    );
    assert.equal(await s.ok(["diff", "marked"]), "", "the markers are no change of the container");
    const detached = await s.detach([ref, BB, "sleep", "60"]);
    assert.equal(
      await s.ok(["exec", detached, BB, "stat", "-c", "%s", "/run/.containerenv"]),
      "0\n",
    );
  });
});

Deno.test("run --rmi removes the image once the container is gone, unless another container uses it", async () => {
  await withStore("rmi", async (s, ref) => {
    await s.ok(["run", "--name", "keepme", ref, "true"]);
    await s.ok(["run", "--rmi", "--rm", ref, "true"]);
    assert.equal((await s.run(["image", "exists", ref])).code, 0, "kept: keepme uses it");
    await s.ok(["rm", "keepme"]);
    // --rmi implies --rm (podman's rule): no container is left either.
    const r = await s.run(["run", "--rmi", ref, "true"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await s.run(["image", "exists", ref])).code, 1, "removed");
    assert.equal(await s.ok(["ps", "-aq"]), "");
    // The container's own exit code is kept.
    await s.ok(["pull", "-q", ref]);
    assert.equal((await s.run(["run", "--rmi", ref, "false"])).code, 1);
    const detached = await s.run(["run", "-d", "--rmi", ref, "true"]);
    assert.equal(detached.code, 125);
    assert.match(detached.stderr, /--rmi applies to a foreground run/);
  });
});

Deno.test("run -a picks the streams shown; -a stdin alone prints the id (as docker and podman)", async () => {
  await withStore("attach", async (s, ref) => {
    const both = ["sh", "-c", "echo out; echo err >&2; exit 3"];
    const err = await s.run(["run", "--rm", "-a", "stderr", ref, ...both]);
    assert.deepEqual([err.code, err.stdout, err.stderr], [3, "", "err\n"]);
    const out = await s.run(["run", "--rm", "--attach", "STDOUT", ref, ...both]);
    assert.deepEqual([out.code, out.stdout, out.stderr], [3, "out\n", ""]);
    const all = await s.run(["run", "--rm", "-a", "stdout", "-a", "stderr", ref, ...both]);
    assert.deepEqual([all.stdout, all.stderr], ["out\n", "err\n"]);

    const id = await s.run(["run", "--name", "quiet", "--attach", "stdin", ref, "echo", "hello"]);
    assert.equal(id.code, 0, id.stderr);
    assert.match(id.stdout.trim(), HEX64);
    assert.equal(id.stdout.trim(), (await s.ok(["inspect", "-f", "{{.Id}}", "quiet"])).trim());
    // With -i the attached stdin reaches the command.
    const fed = await s.run(["run", "--rm", "-i", "-a", "stdin", "-a", "stdout", ref, "cat"], {
      stdin: "fed\n",
    });
    assert.equal(fed.stdout, "fed\n");

    for (const args of [["-a", "stdio"], ["-a", "stdout", "-d"]]) {
      const bad = await s.run(["run", "--rm", ...args, ref, "true"]);
      assert.equal(bad.code, 125, args.join(" "));
      assert.match(bad.stderr, /^nook: .*(-a|--attach)/);
    }
  });
});

Deno.test("run --preserve-fds N passes fds 3 to 3+N-1 into the container, and no others", async () => {
  await withStore("fds", async (s, ref) => {
    const file = `${s.dir}/fd-input`;
    Deno.writeTextFileSync(file, "through fd 4\n");
    Deno.chmodSync(file, 0o644);
    // sh opens the file as fd 4 of nook; -i keeps the command's stdin (podman's test uses it too).
    const runWithFd4 = async (flags: string[], script: string) => {
      const out = await new Deno.Command("sh", {
        args: [
          "-c",
          'f=$1; shift; exec "$@" 4<"$f"',
          "sh",
          file,
          Deno.execPath(),
          "run",
          "-A",
          `${repoRoot()}/cli/main.ts`,
          "run",
          "--rm",
          "-i",
          ...flags,
          ref,
          "sh",
          "-c",
          script,
        ],
        env: s.env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
    };
    const kept = await runWithFd4(["--preserve-fds=2"], "cat <&4");
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(kept.stdout, "through fd 4\n");
    const closed = await runWithFd4([], "cat <&4");
    assert.notEqual(closed.code, 0, "fd 4 reached the container without --preserve-fds");
    const one = await runWithFd4(["--preserve-fds", "1"], "cat <&4");
    assert.notEqual(one.code, 0, "--preserve-fds 1 keeps fd 3 only");
    const bad = await s.run(["run", "--rm", "--preserve-fds", "two", ref, "true"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Invalid --preserve-fds 'two'/);
  });
});

Deno.test("run --timeout kills the container when it runs out: exit 255, state exited -1 (as podman)", async () => {
  await withStore("timeout", async (s, ref) => {
    const t0 = Date.now();
    const r = await s.run(["run", "--name", "slow", "--timeout", "2", ref, BB, "sleep", "60"]);
    const took = Date.now() - t0;
    assert.equal(r.code, 255, r.stderr);
    assert.ok(took >= 2_000 && took < 20_000, `took ${took} ms`);
    const state = await s.ok(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "slow"]);
    assert.equal(state, "exited -1\n");
    // A command that ends in time keeps its own exit code.
    assert.equal((await s.run(["run", "--rm", "--timeout", "30", ref, "false"])).code, 1);
    const bad = await s.run(["run", "--rm", "--timeout", "1.5", ref, "true"]);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Invalid --timeout '1\.5'/);
  });
});

Deno.test("run --hostuser adds host users to /etc/passwd; keep-id adds yours; an unknown one exits 126", async () => {
  await withStore("hostuser", async (s, ref) => {
    const me = myEntry();
    const grep = [BB, "grep", `^${me.name}:`, "/etc/passwd"];
    assert.equal((await s.run(["run", "--rm", ref, ...grep])).code, 1, "not in the image");
    for (const value of [me.name, String(me.uid)]) {
      const line = await s.ok(["run", "--rm", `--hostuser=${value}`, ref, ...grep]);
      assert.match(line, new RegExp(`^${me.name}:[^:]*:${me.uid}:`), value);
    }
    const bogus = await s.run(["run", "--rm", "--hostuser", "no-such-user-here", ref, "true"]);
    assert.equal(bogus.code, 126);
    assert.match(bogus.stderr, /'no-such-user-here'/);

    // keep-id: your uid has your name inside (run and exec), HOME the working directory.
    const id = await s.ok([
      "run",
      "--rm",
      "--userns=keep-id",
      ref,
      "sh",
      "-c",
      "id -un; echo $HOME",
    ]);
    assert.equal(id, `${me.name}\n/\n`);
    assert.equal(
      await s.ok(["run", "--rm", "--userns=keep-id", "--user=0", ref, "id", "-un"]),
      "root\n",
    );
    const c = await s.detach(["--userns=keep-id", ref, BB, "sleep", "60"]);
    assert.equal(await s.ok(["exec", c, "id", "-un"]), `${me.name}\n`);
    assert.equal(await s.ok(["exec", "--user", me.name, c, "id", "-u"]), `${me.uid}\n`);
    // The image's own file is untouched: a container without these flags has no such entry.
    assert.equal((await s.run(["run", "--rm", ref, ...grep])).code, 1);
  });
});

Deno.test("run --kernel-memory is accepted with one warning line first on stderr", async () => {
  await withStore("kmem", async (s, ref) => {
    const r = await s.run([
      "run",
      "--rm",
      "--kernel-memory",
      "100",
      ref,
      "sh",
      "-c",
      "echo ran >&2",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^nook: --kernel-memory is ignored/);
    assert.equal(lines[1], "ran");
  });
});

Deno.test("run -d whose host port is taken exits 125, names the port and leaves no container", async () => {
  await withStore("port", async (s, ref) => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const publish = ["-p", `127.0.0.1:${port}:80`];
    const r = await s.run(["run", "-d", "--name", "taken", ...publish, ref, BB, "sleep", "60"]);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`host port ${port} is already in use`));
    assert.equal(r.stdout, "");
    assert.equal(await s.ok(["ps", "-aq"]), "");
  });
});

Deno.test("start of a container whose command cannot run exits 125; exec of a directory 126", async () => {
  await withStore("codes", async (s, ref) => {
    await s.ok(["create", "--name", "nocmd", ref, "/no/such/command"]);
    assert.equal(await s.ok(["wait", "nocmd"]), "0\n", "never ran");
    const start = await s.run(["start", "nocmd"]);
    assert.equal(start.code, 125);
    assert.match(start.stderr, /no such file or directory/);
    // run keeps the command's codes: 127 and 126.
    assert.equal((await s.run(["run", "--rm", ref, "/no/such/command"])).code, 127);
    const c = await s.detach([ref, BB, "sleep", "60"]);
    const dir = await s.run(["exec", c, "/etc"]);
    assert.equal(dir.code, 126);
    assert.match(dir.stderr, /permission denied/);
    const missing = await s.run(["exec", c, "/no/such/command"]);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /such file or dir/);
  });
});
