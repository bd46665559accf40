import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert";
import { UsageError } from "../../lib/errors/mod.ts";
import { fakeHost } from "../../lib/host/mod.ts";
import { main } from "./info.ts";

async function run(args: string[], host = fakeHost()): Promise<[number, string]> {
  let out = "";
  const code = await main(args, { host, write: (text) => out += text });
  return [code, out];
}

Deno.test("main() prints host facts as aligned key: value lines", async () => {
  const [code, out] = await run([]);
  strictEqual(code, 0);
  const lines = out.trimEnd().split("\n");
  ok(lines[0].startsWith("version:"));
  const valueStarts = lines.map((line) => /^[a-z ]+: +(?=\S)/.exec(line)?.[0].length);
  ok(valueStarts.every((start) => start !== undefined && start === valueStarts[0]), out);
  ok(out.includes("id mapping:      single mapping (only your uid): no range in /etc/subuid"), out);
  ok(out.includes("user:            alice (uid 1000, gid 1000)"), out);
  ok(out.includes("network default: none (no usable helper: install passt or slirp4netns"), out);
});

Deno.test("main() names the default network helpers: slirp4netns, and pasta for -p (with a route)", async () => {
  const route = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n" +
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n";
  const executables = { pasta: "/usr/bin/pasta", slirp4netns: "/usr/bin/slirp4netns" };
  const both = fakeHost({ executables, files: { "/proc/net/route": route } });
  const [, text] = await run([], both);
  ok(
    text.includes("network helpers: pasta (/usr/bin/pasta), slirp4netns (/usr/bin/slirp4netns)"),
    text,
  );
  ok(
    text.includes("network default: slirp4netns (for images without -p; with -p or -P: pasta;"),
    text,
  );
  const defaultsOf = async (host: ReturnType<typeof fakeHost>) => {
    const info = JSON.parse((await run(["--format", "json"], host))[1]);
    return [info.networkDefault, info.networkDefaultPorts];
  };
  const slirp = fakeHost({ executables: { slirp4netns: "/usr/bin/slirp4netns" } });
  deepStrictEqual(await defaultsOf(slirp), ["slirp4netns", "slirp4netns"]);
  const pasta = fakeHost({
    executables: { pasta: "/usr/bin/pasta" },
    files: { "/proc/net/route": route },
  });
  deepStrictEqual(await defaultsOf(pasta), ["pasta", "pasta"]);
  ok((await run([], pasta))[1].includes("network default: pasta (for images and -p;"));
  // Without a default route pasta cannot start: slirp4netns then, even for -p.
  deepStrictEqual(await defaultsOf(fakeHost({ executables })), ["slirp4netns", "slirp4netns"]);
});

Deno.test("main() prints one JSON object with --format json", async () => {
  const [code, out] = await run(["--format", "json"]);
  strictEqual(code, 0);
  const info = JSON.parse(out);
  strictEqual(info.deno, Deno.version.deno);
  strictEqual(info.user.name, "alice");
  strictEqual(info.idMapping, "single");
  strictEqual(JSON.parse((await run(["--format=json"]))[1]).kernel, "6.8.0");
});

Deno.test("main() --check prints a table and a fix line per problem", async () => {
  const [code, out] = await run(["--check"]);
  strictEqual(code, 0);
  const lines = out.split("\n");
  ok(/^CHECK +STATUS +DETAIL$/.test(lines[0]), lines[0]);
  ok(lines.some((line) => /^newuidmap +warn +not found on PATH/.test(line)), out);
  ok(out.includes("\nfix: newuidmap: sudo apt-get install uidmap\n"), out);
  ok(!out.includes("fix: kernel"), out);
});

Deno.test("main() --check exits 1 when a check is an error", async () => {
  const host = fakeHost({ files: { "/proc/sys/user/max_user_namespaces": "0\n" } });
  const [code, out] = await run(["--check"], host);
  strictEqual(code, 1);
  ok(/\nuserns +error +User namespaces are disabled/.test(out), out);
});

Deno.test("main() --check --format json prints the checks", async () => {
  const [, out] = await run(["--check", "--format", "json"]);
  strictEqual(JSON.parse(out)[0].id, "kernel");
});

Deno.test("main() throws UsageError for unknown flags, bad formats and arguments", async () => {
  await rejects(run(["--bogus"]), UsageError);
  await rejects(run(["--format", "yaml"]), /Invalid value 'yaml' for --format/);
  await rejects(run(["--format"]), /Missing value for --format/);
  await rejects(run(["--check", "extra"]), /Unexpected argument 'extra' for 'nook system check'/);
});

Deno.test("main() prints usage for --help", async () => {
  const [code, out] = await run(["--help"]);
  strictEqual(code, 0);
  ok(out.startsWith("Usage: nook info"));
});

Deno.test("main() --format TEMPLATE runs a Go template on docker's and podman's fields", async () => {
  const [code, out] = await run([
    "--format",
    "{{.KernelVersion}} {{.Host.Security.Rootless}} {{.ServerVersion}} {{.kernel}}",
  ]);
  strictEqual(code, 0);
  const [kernel, rootless, version, again] = out.trimEnd().split(" ");
  strictEqual(kernel, "6.8.0");
  strictEqual(rootless, "true");
  strictEqual(again, kernel);
  ok(/^\d+\.\d+/.test(version), out);
  // {{json .}} is the JSON output's object, without the aliases.
  const [, json] = await run(["--format", "{{json .}}"]);
  const parsed = JSON.parse(json);
  strictEqual(parsed.kernel, "6.8.0");
  strictEqual(parsed.KernelVersion, undefined);
  await rejects(run(["--check", "--format", "{{.x}}"]), /expected text or json$/);
});
