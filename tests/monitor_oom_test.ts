// The monitor's reading of memory.events (shim/monitor/oom.c), which puts
// "oom-killed 1" into the state file for inspect's OOMKilled: compiled with a
// small driver and run on directories standing in for cgroups.
import assert from "node:assert/strict";

const monitorDir = new URL("../shim/monitor/", import.meta.url).pathname;

Deno.test("mon_oom_killed() is 1 when memory.events counts an OOM kill, else 0", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nook-oom-test-" });
  try {
    Deno.writeTextFileSync(
      `${dir}/driver.c`,
      `#include <stdio.h>\n#include <unistd.h>\n#include "${monitorDir}monitor.h"\n` +
        `int main(int argc, char **argv) {\n` +
        `  for (int i = 1; i < argc; i++) printf("%d", mon_oom_killed(argv[i]));\n` +
        `  printf("%d\\n", mon_oom_killed(NULL));\n  return 0;\n}\n`,
    );
    const cc = await new Deno.Command("cc", {
      args: [
        "-std=c11",
        "-Wall",
        "-Werror",
        "-D_GNU_SOURCE",
        "-o",
        `${dir}/oom`,
        `${dir}/driver.c`,
        `${monitorDir}oom.c`,
      ],
    }).output(); // deno-fmt-ignore
    assert.equal(cc.code, 0, new TextDecoder().decode(cc.stderr));
    const cgroups: Record<string, string | null> = {
      killed: "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\noom_group_kill 0\n",
      none: "low 0\nhigh 0\nmax 9\noom 1\noom_kill 0\noom_group_kill 0\n",
      first: "oom_kill 1\n",
      group: "oom 0\noom_group_kill 3\n", // not an oom_kill line
      missing: null, // no memory controller
    };
    for (const [name, text] of Object.entries(cgroups)) {
      Deno.mkdirSync(`${dir}/${name}`);
      if (text !== null) Deno.writeTextFileSync(`${dir}/${name}/memory.events`, text);
    }
    const names = Object.keys(cgroups).map((n) => `${dir}/${n}`);
    const out = await new Deno.Command(`${dir}/oom`, { args: [...names, ""] }).output();
    assert.equal(new TextDecoder().decode(out.stdout), "1010000\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
