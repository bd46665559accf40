import assert from "node:assert/strict";
import { applyChanges } from "../lib/image/image_changes.ts";
import { helpText, parseArgs } from "./args.ts";
import { CHANGE_FLAG, changesFromArgs } from "./change_flag.ts";

Deno.test("changesFromArgs() gives -c and --change in order, none without them", () => {
  const p = parseArgs(["-c", "CMD sh", "--change=USER 1", "ctr"], [CHANGE_FLAG], {
    command: "commit",
    stopAtPositional: false,
  });
  assert.deepEqual(changesFromArgs(p), ["CMD sh", "USER 1"]);
  assert.deepEqual(applyChanges({}, changesFromArgs(p)), {
    Cmd: ["/bin/sh", "-c", "sh"],
    User: "1",
  });
  const none = parseArgs(["ctr"], [CHANGE_FLAG], { command: "import" });
  assert.deepEqual(changesFromArgs(none), []);
});

Deno.test("CHANGE_FLAG's help names every instruction applyChanges() takes", () => {
  const help = helpText("nook commit", "x", [CHANGE_FLAG]);
  for (const i of ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME"]) {
    assert.match(help, new RegExp(`\\b${i}\\b`));
  }
  assert.throws(() => applyChanges({}, ["ONBUILD x"]), /use CMD, ENTRYPOINT/);
});
