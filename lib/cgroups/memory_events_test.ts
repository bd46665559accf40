// memory.events against directories standing in for cgroups.
import assert from "node:assert/strict";
import { fakeCgroup } from "./_fake_cgroup.ts";
import { parseMemoryEvents, readMemoryEvents, readOomKilled } from "./memory_events.ts";

const MEMORY_EVENTS = "low 0\nhigh 4\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n";

Deno.test("readOomKilled() says whether memory.events counted an OOM kill", async () => {
  assert.deepEqual(parseMemoryEvents(MEMORY_EVENTS), {
    low: 0,
    high: 4,
    max: 12,
    oom: 2,
    oomKill: 1,
    oomGroupKill: 0,
  });
  await fakeCgroup({ "memory.events": MEMORY_EVENTS }, (dir) => {
    assert.equal(readOomKilled(dir), true);
    assert.equal(readMemoryEvents(dir)?.max, 12);
  });
  await fakeCgroup({ "memory.events": MEMORY_EVENTS.replace("oom_kill 1", "oom_kill 0") }, (d) => {
    assert.equal(readOomKilled(d), false, "an OOM without a kill is not OOMKilled");
  });
  // No memory controller in it (a hybrid host), or no cgroup at all: nothing is known.
  await fakeCgroup({ "cgroup.events": "populated 1\nfrozen 0\n" }, (dir) => {
    assert.equal(readOomKilled(dir), null);
  });
  assert.equal(readOomKilled("/nonexistent/cgroup"), null);
});
