// `system prune`, `system reset` and `history` (issue 15), as the unprivileged test user:
// prune removes exactly what is unused and keeps the rest; reset empties the store; history
// shows the layers of an image made by umoci and pushed by skopeo (nook made none of it).
import assert from "node:assert/strict";
import { busyboxRootfs, storesRoot } from "./helpers.ts";
import { pushLayeredImage } from "./image_fixtures.ts";
import { startRegistry, type TestRegistry } from "./registry_helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const root = storesRoot("nook-system-test-");
let registry: TestRegistry | undefined;

globalThis.addEventListener("unload", () => registry?.stop());

function withStore(name: string, fn: (s: TestStore) => Promise<void>): Promise<void> {
  return withTestStore(new TestStore(root, name), fn);
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/** A store with: a running container "up" of test/keep:1, a stopped one, a created one, a
 *  dangling image and an unused network; returns the ids of what prune should remove. */
async function furnish(s: TestStore) {
  const rootfs = await busyboxRootfs();
  await s.ok(["import", rootfs, "test/keep:1"]);
  const dangling = (await s.ok(["import", "-q", rootfs])).trim();
  const up = await s.detach(["--name", "up", "test/keep:1", "sleep", "60"]);
  const done = await s.detach(["--name", "done", "--rootfs", rootfs, "true"]);
  assert.equal(await s.ok(["wait", "done"]), "0\n");
  const made = (await s.ok(["create", "--name", "made", "test/keep:1", "true"])).trim();
  await s.ok(["network", "create", "unused"]);
  return { up, done, made, dangling };
}

Deno.test("system prune asks, then removes exactly the stopped containers, unused networks and dangling images", async () => {
  await withStore("prune", async (s) => {
    const { up, done, made, dangling } = await furnish(s);
    const no = await s.run(["system", "prune"], { stdin: "n\n" });
    assert.equal(no.code, 0, no.stderr);
    assert.match(no.stdout, /^WARNING! This will remove:\n {2}- all stopped containers\n/);
    assert.match(no.stdout, /- all dangling images\n/);
    assert.match(no.stdout, /Are you sure you want to continue\? \[y\/N\] $/);
    assert.equal(lines(await s.ok(["ps", "-aq", "--no-trunc"])).length, 3, "nothing removed");

    const yes = await s.run(["system", "prune"], { stdin: "y\n" });
    assert.equal(yes.code, 0, yes.stderr);
    const out = yes.stdout.slice(yes.stdout.indexOf("[y/N] ") + 6);
    const containers = /Deleted Containers:\n([\s\S]*?)\n\n/.exec(out)![1].split("\n");
    assert.deepEqual(containers.sort(), [done, made].sort());
    assert.match(out, /Deleted Networks:\nunused\n\n/);
    assert.match(out, new RegExp(`Deleted Images:\n(.*\n)*deleted: ${dangling}\n`));
    assert.match(out, /Total reclaimed space: \d+(\.\d+)?[kMG]?B\n$/);
    // The rest stays: the running container, its image.
    assert.deepEqual(lines(await s.ok(["ps", "-aq", "--no-trunc"])), [up]);
    assert.deepEqual(lines(await s.ok(["images", "--format", "{{.Repository}}:{{.Tag}}"])), [
      "test/keep:1",
    ]);
    assert.equal(
      lines(await s.ok(["network", "ls", "--format", "{{.Name}}"])).includes("unused"),
      false,
    );

    // -a -f: with "up" stopped, its image is unused too.
    await s.ok(["stop", "-t", "0", "up"]);
    const all = await s.ok(["system", "prune", "-a", "-f", "--volumes"]);
    assert.match(
      all,
      new RegExp(`^Deleted Containers:\n${up}\n\nDeleted Images:\nuntagged: test/keep:1\n`),
    );
    assert.equal(await s.ok(["images", "-q"]), "");
    // Nothing left: only the total.
    assert.equal(await s.ok(["system", "prune", "-f"]), "Total reclaimed space: 0B\n");
  });
});

Deno.test("system reset -f removes every container, image and network and empties the store", async () => {
  await withStore("reset", async (s) => {
    await furnish(s);
    const no = await s.run(["system", "reset"], { stdin: "\n" });
    assert.equal(no.code, 0, no.stderr);
    assert.match(
      no.stdout,
      /WARNING! This will remove:\n(.*\n)*Are you sure you want to continue\?/,
    );
    assert.equal(lines(await s.ok(["ps", "-aq"])).length, 3, "an empty answer is no");

    assert.equal(await s.ok(["system", "reset", "-f"]), "");
    assert.deepEqual([...Deno.readDirSync(s.dir)].map((e) => e.name), [], "the store is empty");
    assert.equal(await s.ok(["ps", "-aq"]), "");
    assert.equal(await s.ok(["images", "-q"]), "");
    assert.equal(
      lines(await s.ok(["network", "ls", "--format", "{{.Name}}"])).includes("unused"),
      false,
    );
    // The store works again afterwards.
    const rootfs = await busyboxRootfs();
    assert.equal(await s.ok(["run", "--rm", "--rootfs", rootfs, "echo", "again"]), "again\n");
  });
});

Deno.test("history lists an umoci image's layers newest first, with docker's columns and flags", async () => {
  registry = await startRegistry();
  const ref = await pushLayeredImage(registry.host, "test/history:1", {
    layers: ["base", "change"],
    config: ["--config.cmd", "sh"],
  });
  await withStore("history", async (s) => {
    await s.ok(["pull", "-q", ref]);
    const id = (await s.ok(["images", "-q", "--no-trunc"])).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const sizes = JSON.parse(
      await s.ok(["image", "inspect", "-f", "{{json .RootFS.Layers}}", ref]),
    );
    assert.equal(sizes.length, 2);
    const rows = lines(
      await s.ok(["history", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}", ref]),
    );
    assert.equal(rows.length, 3);
    assert.equal(rows[0], `${id.slice(7, 19)}|umoci config|0B`);
    assert.match(rows[1], /^<missing>\|umoci raw add-layer\|\d+(\.\d+)?[kM]?B$/);
    assert.match(rows[2], /^<missing>\|umoci raw add-layer\|\d+(\.\d+)?[kM]?B$/);
    // The table: docker's headers, a row each.
    const table = lines(await s.ok(["history", ref]));
    assert.match(table[0], /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    assert.match(
      table[1],
      new RegExp(`^${id.slice(7, 19)}\\s+(Less than a minute|\\d+ \\w+) ago\\s+umoci config\\s+0B`),
    );
    assert.equal(table.length, 4);
    // -q, --no-trunc, -H=false, and `image history`.
    assert.deepEqual(lines(await s.ok(["history", "-q", ref])), [
      id.slice(7, 19),
      "<missing>",
      "<missing>",
    ]);
    assert.deepEqual(lines(await s.ok(["image", "history", "-q", "--no-trunc", ref])), [
      id,
      "<missing>",
      "<missing>",
    ]);
    const raw = lines(
      await s.ok(["history", "-H=false", "--format", "{{.CreatedSince}} {{.Size}}", ref]),
    );
    for (const r of raw) assert.match(r, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) \d+$/);
    assert.equal(raw[0].split(" ")[1], "0");
    const json = lines(await s.ok(["history", "--format", "json", ref])).map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(json[0]).sort(), [
      "Comment",
      "CreatedAt",
      "CreatedBy",
      "CreatedSince",
      "ID",
      "Size",
    ]);
    const missing = await s.run(["history", "test/nope:1"]);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, /No such image: test\/nope:1/);
  });
});
