import assert from "node:assert/strict";
import { readTar } from "../unpack/read_tar.ts";
import { tarHeader, type TarWriteEntry, writeTar } from "./tar_writer.ts";

const enc = new TextEncoder();

async function bytesOf(entries: TarWriteEntry[]): Promise<Uint8Array> {
  const chunks = await Array.fromAsync(writeTar(entries));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function gnuTar(args: string[], input: Uint8Array): Promise<string> {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/a.tar`, input);
    const out = await new Deno.Command("tar", {
      args: [...args, "-f", `${dir}/a.tar`],
      env: { LC_ALL: "C.UTF-8" }, // so that tar prints non-ASCII names as they are
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return text;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("writeTar() writes what GNU tar lists: long names, long links, owners, modes, types", async () => {
  const long = `${"d".repeat(120)}/${"f".repeat(90)}`; // fits ustar's prefix + name
  const longer = `${"x".repeat(150)}/${"y".repeat(120)}`; // needs PAX
  const archive = await bytesOf([
    { name: "dir", type: "directory", mode: 0o750, uid: 5, gid: 6, mtime: 1_700_000_000 },
    { name: "dir/file", type: "file", mode: 0o4755, data: enc.encode("hello\n") },
    { name: long, type: "file", data: enc.encode("a") },
    { name: longer, type: "file", uid: 3_000_000, gid: 70_000, data: enc.encode("bb") },
    { name: "link", type: "symlink", linkname: "l".repeat(150) },
    { name: "hard", type: "hardlink", linkname: "dir/file" },
    { name: "héllo", type: "file", data: new Uint8Array(0) },
    { name: "fifo", type: "fifo" },
  ]);
  assert.equal(archive.length % 512, 0);
  const listing = await gnuTar(["--numeric-owner", "-tv"], archive);
  const lines = listing.trim().split("\n");
  assert.match(lines[0], /^drwxr-x--- 5\/6 +0 2023-11-1\d \d\d:\d\d dir\/$/);
  assert.match(lines[1], /^-rwsr-xr-x 0\/0 +6 .* dir\/file$/);
  assert.ok(lines[2].endsWith(` ${long}`), lines[2]);
  assert.match(lines[3], new RegExp(`^-rw-r--r-- 3000000/70000 +2 .* ${longer}$`));
  assert.ok(lines[4].endsWith(`link -> ${"l".repeat(150)}`), lines[4]);
  assert.match(lines[5], /hard link to dir\/file$/);
  assert.match(lines[6], /héllo$/);
  assert.match(lines[7], /^prw-r--r-- .* fifo$/);
  assert.equal(await gnuTar(["-xO", longer], archive), "bb");
});

Deno.test("writeTar() fails a file whose data is not its size, and tarHeader() refuses bad sizes", async () => {
  await assert.rejects(
    bytesOf([{ name: "f", type: "file", size: 3, data: enc.encode("four") }]),
    /Cannot write 'f' to the archive: it has more than 3 bytes/,
  );
  async function* short() {
    yield enc.encode("ab");
  }
  await assert.rejects(
    bytesOf([{ name: "g", type: "file", size: 3, data: short() }]),
    /it has 2 of 3 bytes/,
  );
  assert.throws(() => tarHeader({ name: "h", type: "file", size: -1 }), RangeError);
  assert.throws(() => tarHeader({ name: "", type: "file" }), RangeError);
});

Deno.test("writeTar() writes extended attributes as SCHILY.xattr PAX records, binary values too", async () => {
  const cap = Uint8Array.of(0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0xff, 0x0a);
  const archive = await bytesOf([{
    name: "f",
    type: "file",
    data: enc.encode("x"),
    xattrs: [["security.capability", cap], ["user.note", enc.encode("héllo")]],
  }]);
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/a.tar`, archive);
    const out = await new Deno.Command("python3", {
      args: [
        "-c",
        "import json, sys, tarfile\n" +
        "m = tarfile.open(sys.argv[1]).getmember('f')\n" +
        "print(json.dumps({k: v.encode('utf-8', 'surrogateescape').hex() for k, v in m.pax_headers.items()}))",
        `${dir}/a.tar`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
      "SCHILY.xattr.security.capability": hex(cap),
      "SCHILY.xattr.user.note": hex(enc.encode("héllo")),
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("writeTar() writes what readTar() reads back: long names, directories, data", async () => {
  const entries: TarWriteEntry[] = [
    { name: `${"p".repeat(200)}/file`, type: "file", data: new Uint8Array(3000).fill(7) },
    { name: "dir", type: "directory" },
    { name: "after", type: "file", data: enc.encode("end") },
  ];
  const got = [];
  for await (const e of readTar(ReadableStream.from(writeTar(entries)))) {
    const data = (await Array.fromAsync(e.data())).flatMap((c) => [...c]);
    got.push([e.name, e.type, e.size, data.length, data.reduce((a, b) => a + b, 0)]);
  }
  assert.deepEqual(got, [
    [`${"p".repeat(200)}/file`, "file", 3000, 3000, 21000],
    ["dir/", "directory", 0, 0, 0],
    ["after", "file", 3, 3, 0x65 + 0x6e + 0x64],
  ]);
});
