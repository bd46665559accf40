// --format end to end: templates (lib/template) on images, ps, inspect and
// image inspect, in a store with an imported image and a created container.
import assert from "node:assert/strict";
import { busyboxRootfs, storesRoot } from "./helpers.ts";
import { TestStore, withTestStore } from "./store_helpers.ts";

const root = storesRoot("nook-format-test-");

/** A store with the image test/fmt:1 (label k=v) and the container "made" (not started). */
async function withImage(name: string, fn: (s: TestStore, id: string) => Promise<void>) {
  await withTestStore(new TestStore(root, name), async (s) => {
    await s.ok(["import", "-c", "LABEL k=v", await busyboxRootfs(), "test/fmt:1"]);
    const id = (await s.ok(["images", "-q"])).trim();
    assert.match(id, /^[0-9a-f]{12}$/);
    await s.ok([
      "create",
      "--name",
      "made",
      "-e",
      "B=2",
      "-e",
      "C=3",
      "-l",
      "k=v",
      "test/fmt:1",
      "true",
    ]);
    await fn(s, id);
  });
}

Deno.test("images --format takes Go templates, table TEMPLATE and json", async () => {
  await withImage("images", async (s, id) => {
    assert.equal(
      await s.ok(["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]),
      `test/fmt:1 ${id}\n`,
    );
    assert.equal(
      await s.ok(["images", "--format", "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}"]),
      `REPOSITORY   TAG       IMAGE ID\ntest/fmt     1         ${id}\n`,
    );
    const row = JSON.parse(await s.ok(["images", "--format", "{{json .}}"]));
    assert.equal(row.ID, id);
    assert.equal(row.Repository, "test/fmt");
    assert.match(row.Size, /^\d+(\.\d+)?[kM]B$/);
    assert.match(row.CreatedAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);
    // podman's .Created and docker's .CreatedSince
    const created = await s.ok(["images", "--format", "{{.Created}}|{{.CreatedSince}}"]);
    assert.match(created, /^(Less than a minute ago|\d+ \w+ ago)\|\1\n$/);
  });
});

Deno.test("ps --format takes table TEMPLATE with docker's headers, methods and pipelines", async () => {
  await withImage("ps", async (s) => {
    assert.equal(
      await s.ok(["ps", "-a", "--format", "table {{.Names}}\\t{{.Status}}"]),
      "NAMES     STATUS\nmade      Created\n",
    );
    assert.equal(
      await s.ok([
        "ps",
        "-a",
        "--format",
        '{{.Label "k"}} {{.Names | upper}} {{printf "%-6s|" .State}}',
      ]),
      "v MADE created|\n",
    );
    const table = await s.ok(["ps", "-a", "--format", "table"]);
    assert.match(table, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n/);
  });
});

Deno.test("inspect -f ranges over lists, indexes maps and prints Go's values", async () => {
  await withImage("inspect", async (s, id) => {
    const env = await s.ok(["inspect", "-f", "{{range .Config.Env}}{{.}} {{end}}", "made"]);
    assert.match(env, /(^| )B=2 C=3 \n$/);
    assert.equal(await s.ok(["inspect", "-f", '{{index .Config.Labels "k"}}', "made"]), "v\n");
    assert.equal(
      await s.ok(["inspect", "-f", "{{.Config.Labels}} {{.Config.Labels.nope}}", "made"]),
      "map[k:v] <no value>\n",
    );
    assert.equal(
      await s.ok([
        "inspect",
        "-f",
        "{{if .State.Running}}up{{else}}{{.State.Status}}{{end}}",
        "made",
      ]),
      "created\n",
    );
    assert.equal(
      await s.ok(["image", "inspect", "-f", "{{json .Config.Labels}}", id]),
      '{"k":"v"}\n',
    );
  });
});

Deno.test("a bad template exits 125 naming the template and the position", async () => {
  await withImage("bad", async (s, id) => {
    const unknown = await s.run(["ps", "-a", "--format", "{{.Names}} {{nope .ID}}"]);
    assert.equal(unknown.code, 125);
    assert.equal(
      unknown.stderr,
      `nook: Invalid --format '{{.Names}} {{nope .ID}}': template: 1:13: function "nope" not defined\n`,
    );
    assert.equal(unknown.stdout, "");
    const field = await s.run(["images", "--format", "{{.Repository}}\n{{.Colour}}"]);
    assert.equal(field.code, 125);
    assert.match(
      field.stderr,
      /template: 2:2: executing at <\.Colour>: can't evaluate field Colour/,
    );
    const open = await s.run(["inspect", "-f", "{{.State.Pid", "made"]);
    assert.equal(open.code, 125);
    assert.match(
      open.stderr,
      /Invalid --format '\{\{\.State\.Pid': template: 1:0: unclosed action/,
    );
    const image = await s.run(["image", "inspect", "-f", "{{if .Id}}x", id]);
    assert.equal(image.code, 125);
    assert.match(image.stderr, /missing \{\{end\}\} for \{\{if\}\}/);
  });
});
