import assert from "node:assert/strict";
import { compressionOf } from "./compression.ts";

Deno.test("compressionOf() reads the OCI layer media types", () => {
  assert.equal(compressionOf("application/vnd.oci.image.layer.v1.tar"), "none");
  assert.equal(compressionOf("application/vnd.oci.image.layer.v1.tar+gzip"), "gzip");
  assert.equal(compressionOf("application/vnd.oci.image.layer.v1.tar+zstd"), "zstd");
});

Deno.test("compressionOf() reads the nondistributable and Docker media types", () => {
  assert.equal(compressionOf("application/vnd.oci.image.layer.nondistributable.v1.tar"), "none");
  assert.equal(
    compressionOf("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"),
    "gzip",
  );
  assert.equal(
    compressionOf("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"),
    "zstd",
  );
  assert.equal(compressionOf("application/vnd.docker.image.rootfs.diff.tar.gzip"), "gzip");
  assert.equal(
    compressionOf("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"),
    "gzip",
  );
});

Deno.test("compressionOf() ignores case and parameters", () => {
  assert.equal(compressionOf("Application/VND.oci.image.layer.v1.tar+gzip; x=y"), "gzip");
});

Deno.test("compressionOf() refuses what is not a layer, naming it", () => {
  assert.throws(
    () => compressionOf("application/vnd.oci.image.config.v1+json"),
    new RangeError(
      "Cannot unpack layer of media type 'application/vnd.oci.image.config.v1+json': " +
        "not a layer type",
    ),
  );
  assert.throws(() => compressionOf("constructor"), RangeError);
});
