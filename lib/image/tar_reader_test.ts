import assert from "node:assert/strict";
import { readTar, TarFormatError, type TarReadEntry } from "./tar_reader.ts";
import { writeTar } from "./tar_writer.ts";

const dec = new TextDecoder();

async function entriesOf(
  stream: ReadableStream<Uint8Array>,
  read = true,
): Promise<(Omit<TarReadEntry, "data"> & { text?: string })[]> {
  const out = [];
  for await (const e of readTar(stream)) {
    const { data, ...rest } = e;
    const text = read
      ? (await Array.fromAsync(data())).map((c) => dec.decode(c, { stream: true })).join("")
      : undefined;
    out.push({ ...rest, text });
  }
  return out;
}

/** A stream that hands out `bytes` in pieces of `size`. */
function pieces(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

async function gnuTarArchive(format: string): Promise<Uint8Array> {
  const dir = Deno.makeTempDirSync();
  try {
    const long = `${"n".repeat(130)}/${"m".repeat(110)}`;
    Deno.mkdirSync(`${dir}/src/${long.split("/")[0]}`, { recursive: true });
    Deno.writeTextFileSync(`${dir}/src/${long}`, "long one");
    Deno.writeTextFileSync(`${dir}/src/plain`, "x".repeat(1000));
    Deno.symlinkSync("plain", `${dir}/src/sym`);
    Deno.linkSync(`${dir}/src/plain`, `${dir}/src/hard`);
    const out = await new Deno.Command("tar", {
      args: [`--format=${format}`, "--sort=name", "-C", `${dir}/src`, "-cf", "-", "."],
      stdout: "piped",
    }).output();
    assert.equal(out.code, 0);
    return out.stdout;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

for (const format of ["gnu", "pax", "posix"]) {
  Deno.test(`readTar() reads GNU tar's ${format} format, long names and links included`, async () => {
    const archive = await gnuTarArchive(format);
    for (const size of [archive.length, 7, 512]) {
      const entries = await entriesOf(pieces(archive, size));
      const byName = new Map(entries.map((e) => [e.name.replace(/^\.\//, ""), e]));
      const long = [...byName.keys()].find((n) => n.endsWith("m".repeat(110)))!;
      assert.equal(long.length, 241);
      assert.equal(byName.get(long)?.text, "long one");
      const plain = byName.get("plain")!;
      const hard = byName.get("hard")!;
      // GNU tar stores the second name of a file as a link to the first it met
      const [file, link] = plain.type === "file" ? [plain, hard] : [hard, plain];
      assert.equal(file.text, "x".repeat(1000));
      assert.equal(link.type, "hardlink");
      assert.equal(byName.get("sym")?.type, "symlink");
      assert.equal(byName.get("sym")?.linkname, "plain");
    }
  });
}

Deno.test("readTar() reads writeTar()'s output back, skipping data nobody reads", async () => {
  const entries = [
    { name: `${"p".repeat(200)}/file`, type: "file" as const, data: new Uint8Array(3000) },
    { name: "dir", type: "directory" as const },
    { name: "after", type: "file" as const, data: new TextEncoder().encode("end") },
  ];
  const stream = ReadableStream.from(writeTar(entries));
  const got = await entriesOf(stream, false);
  assert.deepEqual(got.map((e) => [e.name, e.type, e.size]), [
    [`${"p".repeat(200)}/file`, "file", 3000],
    ["dir/", "directory", 0],
    ["after", "file", 3],
  ]);
});

Deno.test("readTar() fails on a bad checksum and on a truncated archive", async () => {
  const archive = new Uint8Array(
    (await Array.fromAsync(writeTar([{ name: "f", type: "file", data: new Uint8Array(600) }])))
      .flatMap((c) => [...c]),
  );
  const bad = archive.slice();
  bad[10] ^= 1;
  await assert.rejects(
    entriesOf(pieces(bad, 100)),
    (e: Error) => e instanceof TarFormatError && /wrong checksum/.test(e.message),
  );
  await assert.rejects(
    entriesOf(pieces(archive.slice(0, 700), 100)),
    (e: Error) => e instanceof TarFormatError && /'f' ends early/.test(e.message),
  );
  await assert.rejects(
    entriesOf(pieces(archive.slice(0, 700), 100), false),
    /'f' ends early/,
  );
});
