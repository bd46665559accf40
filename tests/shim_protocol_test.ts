// The C header and shim/protocol.ts describe one protocol: they must agree.
import assert from "node:assert/strict";
import { loadShim } from "../shim/binding.ts";
import * as P from "../shim/protocol.ts";

const header = Deno.readTextFileSync(new URL("../shim/src/nook_shim.h", import.meta.url));

function cValue(name: string): number {
  const m = new RegExp(`\\b${name}\\s*=?\\s*(0x[0-9a-fA-F]+|\\d+)u?\\b`).exec(header);
  assert.ok(m, `${name} is not in nook_shim.h`);
  return Number(m[1]);
}

Deno.test("protocol.ts Op values equal the enum nook_op of nook_shim.h", () => {
  for (const [name, value] of Object.entries(P.Op)) {
    assert.equal(cValue(`NOOK_OP_${name}`), value, name);
  }
  const cOps = [...header.matchAll(/\bNOOK_OP_([A-Z_0-9]+)\s*=/g)].map((m) => m[1]);
  assert.deepEqual(cOps.filter((n) => n !== "OP_COUNT").sort(), Object.keys(P.Op).sort());
});

Deno.test("protocol.ts constants equal the defines of nook_shim.h", () => {
  assert.equal(cValue("NOOK_ABI"), P.ABI);
  assert.equal(cValue("NOOK_PROG_MAGIC"), P.PROGRAM_MAGIC);
  assert.equal(cValue("NOOK_NO_STR"), P.NO_STR);
  assert.equal(cValue("NOOK_MAX_STEPS"), P.MAX_STEPS);
  assert.equal(cValue("NOOK_MAX_LIST"), P.MAX_LIST);
  assert.equal(cValue("NOOK_F_OPTIONAL"), P.StepFlag.OPTIONAL);
  assert.equal(cValue("NOOK_F_MKDIR"), P.StepFlag.MKDIR);
  assert.equal(cValue("NOOK_F_MKFILE"), P.StepFlag.MKFILE);
  assert.equal(cValue("NOOK_F_RECURSIVE"), P.StepFlag.RECURSIVE);
  assert.equal(cValue("NOOK_REPORT_ERROR"), P.ReportKind.ERROR);
  assert.equal(cValue("NOOK_REPORT_PTY"), P.ReportKind.PTY);
  assert.equal(cValue("NOOK_REPORT_PID"), P.ReportKind.PID);
});

Deno.test("the C structs have the sizes protocol.ts encodes", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const src = `${dir}/sizes.c`;
    Deno.writeTextFileSync(
      src,
      `#include <stdio.h>\n#include "${
        new URL("../shim/src/nook_shim.h", import.meta.url).pathname
      }"\n` +
        `int main(void){printf("%zu %zu\\n", sizeof(struct nook_prog), sizeof(struct nook_step));return 0;}\n`,
    );
    const cc = await new Deno.Command("cc", { args: ["-o", `${dir}/sizes`, src] }).output();
    assert.equal(cc.code, 0, new TextDecoder().decode(cc.stderr));
    const out = await new Deno.Command(`${dir}/sizes`).output();
    assert.equal(new TextDecoder().decode(out.stdout).trim(), `${P.HEADER_SIZE} ${P.STEP_SIZE}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("nook_spawn() refuses a malformed program before cloning anything", () => {
  const shim = loadShim();
  const good = P.encodeProgram({ cloneFlags: 0, steps: [{ op: P.Op.SETSID }] });
  const badMagic = good.slice();
  badMagic[0] ^= 0xff;
  assert.equal(shim.spawn(badMagic), -71); // EPROTO
  assert.equal(shim.spawn(good.subarray(0, good.length - 1)), -22); // EINVAL: truncated
  const badOp = good.slice();
  new DataView(badOp.buffer).setUint32(P.HEADER_SIZE, 999, true);
  assert.equal(shim.spawn(badOp), -22);
  const badString = P.encodeProgram({ cloneFlags: 0, steps: [{ op: P.Op.SETHOSTNAME, s: ["x"] }] });
  new DataView(badString.buffer).setUint32(P.HEADER_SIZE + 24, 100000, true);
  assert.equal(shim.spawn(badString), -22);
});

Deno.test("encodeProgram() rejects strings with NUL bytes", () => {
  assert.throws(
    () => P.encodeProgram({ cloneFlags: 0, steps: [{ op: P.Op.SETHOSTNAME, s: ["a\0b"] }] }),
    RangeError,
  );
});
