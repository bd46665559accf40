import assert from "node:assert/strict";
import { readTar, type TarReadEntry } from "./read_tar.ts";
import { makeTar, streamOf } from "./_test_tar.ts";
import { TarFormatError } from "./tar_format_error.ts";

const dec = new TextDecoder();

type Read = Omit<TarReadEntry, "data"> & { text?: string };

async function entriesOf(stream: ReadableStream<Uint8Array>, read = true): Promise<Read[]> {
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

/** An archive GNU tar writes of a directory `fill` populates. */
async function gnuTarArchive(args: string[], fill: (src: string) => void): Promise<Uint8Array> {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${dir}/src`);
    fill(`${dir}/src`);
    const out = await new Deno.Command("tar", {
      args: [...args, "--sort=name", "-C", `${dir}/src`, "-cf", "-", "."],
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
    const long = `${"n".repeat(130)}/${"m".repeat(110)}`;
    const archive = await gnuTarArchive([`--format=${format}`], (src) => {
      Deno.mkdirSync(`${src}/${long.split("/")[0]}`);
      Deno.writeTextFileSync(`${src}/${long}`, "long one");
      Deno.writeTextFileSync(`${src}/plain`, "x".repeat(1000));
      Deno.symlinkSync("plain", `${src}/sym`);
      Deno.linkSync(`${src}/plain`, `${src}/hard`);
    });
    for (const size of [archive.length, 7, 512]) {
      const entries = await entriesOf(streamOf(archive, size));
      const byName = new Map(entries.map((e) => [e.name.replace(/^\.\//, ""), e]));
      const found = [...byName.keys()].find((n) => n.endsWith("m".repeat(110)))!;
      assert.equal(found, long);
      assert.equal(byName.get(long)?.text, "long one");
      const plain = byName.get("plain")!;
      const hard = byName.get("hard")!;
      // GNU tar stores the second name of a file as a link to the first it met
      const [file, link] = plain.type === "file" ? [plain, hard] : [hard, plain];
      assert.equal(file.text, "x".repeat(1000));
      assert.equal(link.type, "hardlink");
      assert.equal(link.text, "");
      assert.equal(byName.get("sym")?.type, "symlink");
      assert.equal(byName.get("sym")?.linkname, "plain");
    }
  });
}

for (const format of ["gnu", "posix"]) {
  Deno.test(`readTar() gives the holes of a GNU tar ${format} sparse file back as zeros`, async () => {
    const size = 3 << 20;
    const archive = await gnuTarArchive([`--format=${format}`, "--sparse"], (src) => {
      const f = Deno.openSync(`${src}/sparse`, { write: true, create: true });
      f.seekSync(1 << 20, Deno.SeekMode.Start);
      f.writeSync(new TextEncoder().encode("middle"));
      f.truncateSync(size);
      f.close();
    });
    const entries = [];
    for await (const e of readTar(streamOf(archive, 4096))) {
      const chunks = await Array.fromAsync(e.data());
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) bytes.set(c, (at += c.length) - c.length);
      entries.push({ name: e.name, sparse: e.sparse, size: e.size, bytes });
    }
    const sparse = entries.find((e) => e.name.endsWith("sparse"))!;
    assert.equal(sparse.name.replace(/^\.\//, ""), "sparse");
    assert.ok(sparse.sparse);
    assert.equal(sparse.size, size);
    assert.equal(sparse.bytes.length, size);
    assert.equal(dec.decode(sparse.bytes.subarray(1 << 20, (1 << 20) + 6)), "middle");
    assert.equal(sparse.bytes.filter((b) => b !== 0).length, 6);
  });
}

Deno.test("readTar() skips data nobody reads, and entries of unknown types", async () => {
  const archive = makeTar([
    { name: "first", data: "x".repeat(3000) },
    { name: "label", type: "V", data: "a volume label" },
    { name: "dir/", type: "5" },
    { name: "after", data: "end" },
  ]);
  for (const size of [100, 512, archive.length]) {
    const got = await entriesOf(streamOf(archive, size), false);
    assert.deepEqual(got.map((e) => [e.name, e.type, e.size]), [
      ["first", "file", 3000],
      ["dir/", "directory", 0],
      ["after", "file", 3],
    ]);
    const read = await entriesOf(streamOf(archive, size));
    assert.deepEqual(read.map((e) => e.text), ["x".repeat(3000), "", "end"]);
  }
});

Deno.test("readTar() stops at the end-of-archive blocks and cancels the stream", async () => {
  const archive = makeTar([{ name: "f", data: "one" }]);
  let cancelled = false;
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      c.enqueue(pulls++ === 0 ? archive : new Uint8Array(512).fill(0xff)); // garbage after the end
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  assert.deepEqual((await entriesOf(stream)).map((e) => e.text), ["one"]);
  assert.ok(cancelled);
  assert.equal(pulls, 1);
});

Deno.test("readTar() fails on a bad checksum and on a truncated archive", async () => {
  const archive = makeTar([{ name: "f", data: new Uint8Array(600) }]);
  const bad = archive.slice();
  bad[10] ^= 1;
  await assert.rejects(
    entriesOf(streamOf(bad, 100)),
    (e: Error) => e instanceof TarFormatError && /bad tar header checksum at byte 0/.test(e.reason),
  );
  await assert.rejects(
    entriesOf(streamOf(archive.slice(0, 700), 100)),
    (e: Error) =>
      e instanceof TarFormatError && e.reason === "the archive ends inside entry 'f'" &&
      e.entry === "f",
  );
  await assert.rejects(
    entriesOf(streamOf(archive.slice(0, 700), 100), false),
    /the archive ends inside entry 'f'/,
  );
});
