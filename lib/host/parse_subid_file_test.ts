import { deepStrictEqual } from "node:assert";
import { parseSubidFile } from "./parse_subid_file.ts";

Deno.test("parseSubidFile() matches the user name", () => {
  deepStrictEqual(parseSubidFile("alice:100000:65536\nbob:165536:65536\n", "alice", 1000), [
    { start: 100000, count: 65536 },
  ]);
});

Deno.test("parseSubidFile() matches the decimal uid, as shadow-utils does", () => {
  deepStrictEqual(parseSubidFile("1000:100000:65536\n1001:165536:65536\n", "alice", 1000), [
    { start: 100000, count: 65536 },
  ]);
});

Deno.test("parseSubidFile() matches by uid when the user has no name", () => {
  deepStrictEqual(parseSubidFile("1000:100000:10\nalice:200000:10\n", null, 1000), [
    { start: 100000, count: 10 },
  ]);
});

Deno.test("parseSubidFile() returns every range of the user in file order", () => {
  const text = "alice:300000:65536\nbob:100000:65536\n1000:100000:1000\nalice:500000:5\n";
  deepStrictEqual(parseSubidFile(text, "alice", 1000), [
    { start: 300000, count: 65536 },
    { start: 100000, count: 1000 },
    { start: 500000, count: 5 },
  ]);
});

Deno.test("parseSubidFile() skips comments, blank lines and surrounding whitespace", () => {
  const text = "# subordinate ids\n\n   \n  alice:100000:65536  \r\n#alice:1:1\n";
  deepStrictEqual(parseSubidFile(text, "alice", 1000), [{ start: 100000, count: 65536 }]);
});

Deno.test("parseSubidFile() skips malformed lines", () => {
  const text = [
    "alice:100000", // two fields
    "alice:100000:65536:x", // four fields
    "alice:abc:65536", // start not a number
    "alice:100000:-1", // negative count
    "alice:1e5:65536", // not decimal
    "alice:100000:0", // empty range
    "alice:4294967295:1", // (uid_t)-1 is not an id
    "alice:0x10:5", // hex
    ":100000:65536", // no owner
    "alice:200000:65536", // the one good line
  ].join("\n");
  deepStrictEqual(parseSubidFile(text, "alice", 1000), [{ start: 200000, count: 65536 }]);
});

Deno.test("parseSubidFile() does not match names by prefix or uids by name", () => {
  const text = "alice2:100000:10\nalic:200000:10\n10000:300000:10\n";
  deepStrictEqual(parseSubidFile(text, "alice", 1000), []);
});

Deno.test("parseSubidFile() returns nothing for an empty file", () => {
  deepStrictEqual(parseSubidFile("", "alice", 1000), []);
});
