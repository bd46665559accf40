import assert from "node:assert/strict";
import { compileFormat, formatRows } from "./format_rows.ts";
import { withHidden } from "./hidden_fields.ts";
import { UsageError } from "../lib/errors/mod.ts";

const headers = { ID: "CONTAINER ID", Names: "NAMES", Status: "STATUS", Labels: "LABELS" };
const rows = [
  withHidden({ ID: "0123456789ab", Names: "web", Status: "Up 2 seconds", Labels: "k=v" }, {
    Label: (k: string) => (k === "k" ? "v" : ""),
    CreatedHuman: "2 seconds ago",
  }),
  {
    ID: "ba9876543210",
    Names: "db-with-a-long-name",
    Status: "Exited (0) 1 second ago",
    Labels: "",
  },
];

Deno.test("formatRows() prints a template a line per row, with \\t as a tab", () => {
  assert.equal(
    formatRows("{{.Names}}\\t{{.ID}}", rows, { headers }),
    "web\t0123456789ab\ndb-with-a-long-name\tba9876543210\n",
  );
});

Deno.test("formatRows() prints 'table TEMPLATE' with docker's headers, aligned by its tabwriter", () => {
  assert.equal(
    formatRows("table {{.Names}}\\t{{.Status}}", rows, { headers }),
    "NAMES                 STATUS\n" +
      "web                   Up 2 seconds\n" +
      "db-with-a-long-name   Exited (0) 1 second ago\n",
  );
  // Functions keep the title in the header row; methods give it too.
  assert.equal(
    formatRows('table {{upper .Names}}\\t{{.Label "k"}}', rows.slice(0, 1), { headers }),
    "NAMES     LABEL\nWEB       v\n",
  );
  // No rows: the header alone.
  assert.equal(formatRows("table {{.ID}}", [], { headers }), "CONTAINER ID\n");
});

Deno.test("formatRows() prints a bare 'table' with the command's default template", () => {
  assert.equal(
    formatRows("table", rows.slice(0, 1), { headers, table: "{{.ID}}\t{{.Names}}" }),
    "CONTAINER ID   NAMES\n0123456789ab   web\n",
  );
});

Deno.test("formatRows() prints 'json' and '{{json .}}' as an object a line, without hidden fields", () => {
  const line = '{"ID":"0123456789ab","Names":"web","Status":"Up 2 seconds","Labels":"k=v"}';
  assert.equal(formatRows("json", rows.slice(0, 1), { headers }), line + "\n");
  assert.equal(formatRows("{{json .}}", rows.slice(0, 1), { headers }), line + "\n");
  assert.equal(formatRows("{{.CreatedHuman}}", rows.slice(0, 1), { headers }), "2 seconds ago\n");
});

Deno.test("formatRows() names the template and the position of an error", () => {
  assert.throws(
    () => formatRows("{{.Names}} {{foo}}", rows, { headers }),
    (e: unknown) =>
      e instanceof UsageError && e.exitCode === 125 &&
      e.message ===
        `Invalid --format '{{.Names}} {{foo}}': template: 1:13: function "foo" not defined`,
  );
  assert.throws(
    () => formatRows("table {{.Colour}}", [], { headers }),
    /^UsageError: Invalid --format 'table \{\{\.Colour\}\}': template: 1:2: executing at <\.Colour>: can't evaluate field Colour/,
  );
});

Deno.test("compileFormat() renders one object, such as inspect's", () => {
  const render = compileFormat('{{range .Config.Env}}{{.}} {{end}}{{index .Config.Labels "k"}}');
  assert.equal(render({ Config: { Env: ["A=1", "B=2"], Labels: { k: "v" } } }), "A=1 B=2 v");
});
