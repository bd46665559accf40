import assert from "node:assert/strict";
import { parseDetachKeys } from "./detach_keys.ts";
import { formatNamespaceMode, parseNamespaceMode } from "./namespace_config.ts";
import { timezoneFile } from "./timezone.ts";

Deno.test("parseNamespaceMode() takes docker's modes and shows them back as inspect does", () => {
  for (const text of ["host", "container:web", "shareable"]) {
    assert.equal(formatNamespaceMode(parseNamespaceMode("ipc", text), "private"), text);
  }
  assert.equal(parseNamespaceMode("pid", "private"), undefined);
  assert.equal(parseNamespaceMode("pid", ""), undefined);
  assert.throws(() => parseNamespaceMode("pid", "shareable"), /--pid: invalid PID mode/);
  assert.equal(formatNamespaceMode(undefined, ""), "");
});

Deno.test("parseDetachKeys() maps letters and ctrl- keys as docker does", () => {
  assert.deepEqual([...parseDetachKeys("ctrl-p,ctrl-q")], [16, 17]);
  assert.deepEqual([...parseDetachKeys("ctrl-@,ctrl-[,ctrl-_,x")], [0, 27, 31, 120]);
  assert.deepEqual([...parseDetachKeys("CTRL-A")], [1]);
  assert.throws(() => parseDetachKeys("ctrl-p,"), /'' is neither one character/);
  assert.throws(() => parseDetachKeys("ab"), /'ab' is neither/);
});

Deno.test("timezoneFile() stays inside /usr/share/zoneinfo", () => {
  assert.equal(timezoneFile("local"), "/etc/localtime");
  assert.equal(timezoneFile("UTC"), "/usr/share/zoneinfo/UTC");
  for (const bad of ["/etc/passwd", "a/../../b", "", "a//b"]) assert.equal(timezoneFile(bad), null);
});
