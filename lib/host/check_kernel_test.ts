import { strictEqual } from "node:assert";
import { checkKernel } from "./check_kernel.ts";
import { fakeHost } from "./fake_host.ts";

Deno.test("checkKernel() is ok from 5.11", async () => {
  const check = await checkKernel(fakeHost({ kernel: "5.11.0" }));
  strictEqual(check.status, "ok");
  strictEqual(check.detail, "5.11.0");
});

Deno.test("checkKernel() warns before 5.11 (no overlayfs in a user namespace)", async () => {
  const check = await checkKernel(fakeHost({ kernel: "5.10.0-28-amd64" }));
  strictEqual(check.status, "warn");
  strictEqual(check.fix?.includes("fuse-overlayfs"), true);
});

Deno.test("checkKernel() errors before 5.6 (no openat2)", async () => {
  const check = await checkKernel(fakeHost({ kernel: "4.19.0-26-amd64" }));
  strictEqual(check.status, "error");
  strictEqual(check.detail, "4.19.0-26-amd64 is older than 5.6 (openat2 is needed)");
});

Deno.test("checkKernel() compares minor versions numerically", async () => {
  strictEqual((await checkKernel(fakeHost({ kernel: "5.15.0" }))).status, "ok");
  strictEqual((await checkKernel(fakeHost({ kernel: "10.0" }))).status, "ok");
});

Deno.test("checkKernel() warns on a release it cannot read", async () => {
  const check = await checkKernel(fakeHost({ kernel: "weird" }));
  strictEqual(check.status, "warn");
  strictEqual(check.detail, "cannot read the version of kernel release 'weird'");
});
