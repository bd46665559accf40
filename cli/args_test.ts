import assert from "node:assert/strict";
import { type FlagSpec, parseArgs } from "./args.ts";
import { UsageError } from "../lib/errors/mod.ts";

const SPECS: FlagSpec[] = [
  { name: "interactive", short: "i", type: "bool" },
  { name: "tty", short: "t", type: "bool" },
  { name: "env", short: "e", type: "list" },
  { name: "workdir", short: "w", type: "string" },
  { name: "network", aliases: ["net"], type: "string" },
  { name: "rm", type: "bool" },
];
const parse = (args: string[]) => parseArgs(args, SPECS, { command: "run" });

Deno.test("parseArgs() stops at the first positional: the rest is the container's argv", () => {
  const p = parse(["--rm", "img", "-e", "X=1", "--rm"]);
  assert.deepEqual(p.rest, ["img", "-e", "X=1", "--rm"]);
  assert.deepEqual(p.lists.env, []);
});

Deno.test("parseArgs() takes bundled short flags and attached values", () => {
  const p = parse(["-it", "-eA=1", "-e", "B=2", "-w/x", "cmd"]);
  assert.equal(p.bools.interactive, true);
  assert.equal(p.bools.tty, true);
  assert.deepEqual(p.lists.env, ["A=1", "B=2"]);
  assert.equal(p.strings.workdir, "/x");
});

Deno.test("parseArgs() takes --flag=value, aliases, and --bool=false", () => {
  const p = parse(["--net=host", "--rm=false", "--workdir", "/w", "c"]);
  assert.equal(p.strings.network, "host");
  assert.equal(p.bools.rm, false);
  assert.equal(p.strings.workdir, "/w");
});

Deno.test("parseArgs() treats -- as the end of flags", () => {
  assert.deepEqual(parse(["--", "-it"]).rest, ["-it"]);
});

Deno.test("parseArgs() names an unknown flag and a missing value", () => {
  assert.throws(
    () => parse(["--bogus"]),
    (e: Error) => e instanceof UsageError && /unknown flag: --bogus/.test(e.message),
  );
  assert.throws(() => parse(["-x"]), /unknown flag: -x/);
  assert.throws(() => parse(["--workdir"]), /flag needs an argument: --workdir/);
  assert.throws(() => parse(["--rm=maybe"]), /invalid value 'maybe'/);
});
