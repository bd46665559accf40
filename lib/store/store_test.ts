import assert from "node:assert/strict";
import { DigestMismatchError, ingestBlob } from "./ingest_blob.ts";
import { type ImageRecord, putImage, readIndex, storeLayout, updateIndex } from "./mod.ts";

async function digestOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return "sha256:" + Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join("");
}

const streamOf = (bytes: Uint8Array<ArrayBuffer>) => new Blob([bytes]).stream();

Deno.test("ingestBlob() commits verified bytes and nothing on a digest or size mismatch", async () => {
  const root = Deno.makeTempDirSync();
  try {
    const layout = storeLayout(root);
    const bytes = new TextEncoder().encode("hello blob");
    const digest = await digestOf(bytes);
    const path = await ingestBlob(layout, digest, streamOf(bytes), { size: bytes.length });
    assert.deepEqual(Deno.readFileSync(path), bytes);

    const other = await digestOf(new TextEncoder().encode("other"));
    await assert.rejects(
      ingestBlob(layout, other, streamOf(bytes), { size: bytes.length }),
      (e: Error) =>
        e instanceof DigestMismatchError && e.message.includes(other) && e.message.includes(digest),
    );
    await assert.rejects(
      ingestBlob(layout, digest, streamOf(bytes), { size: 3 }),
      DigestMismatchError,
    );
    assert.throws(() => Deno.statSync(`${layout.blobs}/${other.slice(7)}`));
    assert.deepEqual([...Deno.readDirSync(layout.incomingBlobs)], [], "no partial file left");
    await assert.rejects(
      ingestBlob(layout, "sha256:../../etc", streamOf(bytes), { size: 1 }),
      /Invalid|digest/i,
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

function record(id: string): ImageRecord {
  return {
    id,
    manifestDigest: id,
    manifestMediaType: "application/vnd.oci.image.manifest.v1+json",
    names: [],
    repoDigests: [],
    chainIds: [],
    layerDigests: [],
    size: 1,
    pulled: new Date(0).toISOString(),
  };
}

Deno.test("putImage() moves a name to the image that now has it, as docker does", () => {
  const index = { version: 1 as const, images: [] as ImageRecord[] };
  const a = "sha256:" + "a".repeat(64);
  const b = "sha256:" + "b".repeat(64);
  putImage(index, record(a), "docker.io/library/x:latest");
  putImage(index, record(b), "docker.io/library/x:latest");
  putImage(index, record(b), "docker.io/library/x:2");
  assert.deepEqual(index.images.find((i) => i.id === a)?.names, []);
  assert.deepEqual(index.images.find((i) => i.id === b)?.names, [
    "docker.io/library/x:latest",
    "docker.io/library/x:2",
  ]);
});

Deno.test("updateIndex() loses no update when many run at once", async () => {
  const root = Deno.makeTempDirSync();
  try {
    const layout = storeLayout(root);
    await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          updateIndex(
            layout,
            (index) =>
              putImage(index, record("sha256:" + i.toString(16).padStart(64, "0")), `n/${i}:1`),
          ),
      ),
    );
    assert.equal(readIndex(layout).images.length, 20);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
