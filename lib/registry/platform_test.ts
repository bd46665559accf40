import { deepStrictEqual, ok, strictEqual, throws } from "node:assert";
import { UsageError } from "../errors/mod.ts";
import { formatPlatform, normalizePlatform, parsePlatform } from "./platform.ts";
import { hostPlatform } from "./host_platform.ts";

Deno.test("parsePlatform() reads os/arch[/variant] and normalises it", () => {
  deepStrictEqual(parsePlatform("linux/amd64"), { os: "linux", architecture: "amd64" });
  deepStrictEqual(parsePlatform("linux/arm64"), {
    os: "linux",
    architecture: "arm64",
    variant: "v8",
  });
  deepStrictEqual(parsePlatform("linux/arm64/v8"), parsePlatform("linux/aarch64"));
  deepStrictEqual(parsePlatform("linux/arm"), { os: "linux", architecture: "arm", variant: "v7" });
  deepStrictEqual(parsePlatform("linux/arm/6"), {
    os: "linux",
    architecture: "arm",
    variant: "v6",
  });
  deepStrictEqual(parsePlatform("Linux/X86_64"), { os: "linux", architecture: "amd64" });
  deepStrictEqual(parsePlatform("arm64"), { os: "linux", architecture: "arm64", variant: "v8" });
  deepStrictEqual(parsePlatform("linux/386"), parsePlatform("linux/i386"));
});

Deno.test("parsePlatform() refuses malformed values with a UsageError naming them", () => {
  for (const bad of ["", "linux/", "a/b/c/d", "linux/amd 64", "linux"]) {
    throws(() => parsePlatform(bad), (err: Error) => {
      ok(err instanceof UsageError);
      ok(err.message.startsWith(`Invalid platform '${bad}'`), err.message);
      return true;
    });
  }
});

Deno.test("formatPlatform() prints what parsePlatform() reads", () => {
  for (const text of ["linux/amd64", "linux/arm64/v8", "linux/arm/v7", "linux/s390x"]) {
    strictEqual(formatPlatform(parsePlatform(text)), text);
  }
});

Deno.test("normalizePlatform() keeps OS version and features", () => {
  deepStrictEqual(
    normalizePlatform({
      os: "windows",
      architecture: "amd64",
      "os.version": "10.0",
      "os.features": ["win32k"],
    }),
    { os: "windows", architecture: "amd64", "os.version": "10.0", "os.features": ["win32k"] },
  );
});

Deno.test("hostPlatform() is linux on the host's architecture", () => {
  const want = Deno.build.arch === "aarch64" ? "linux/arm64/v8" : "linux/amd64";
  strictEqual(formatPlatform(hostPlatform()), want);
});
