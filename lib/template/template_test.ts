import assert from "node:assert/strict";
import { parseTemplate, renderTemplate } from "./template.ts";
import { TemplateError } from "./template_error.ts";
import { tabWriter } from "./tab_writer.ts";

const container = {
  Id: "0123456789abcdef",
  Name: "/web",
  State: { Status: "running", Running: true, Pid: 42, ExitCode: 0, Health: null },
  Config: {
    Env: ["PATH=/bin", "A=1"],
    Cmd: null,
    Labels: { "com.example.k": "v", "a": "b" },
    Volumes: null,
  },
  Mounts: [{ Source: "/srv", Destination: "/data" }, { Source: "/tmp/x", Destination: "/x" }],
  NetworkSettings: { Ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }] } },
  Args: ["-c", "echo hi"],
  RestartCount: 3,
};

const cases: [string, unknown, string][] = [
  // docker's documented examples ("Format command and log output").
  ['{{join .Args " , "}}', container, "-c , echo hi"],
  [
    "{{json .Config}}",
    { Config: { Cmd: ["sh"], Labels: { a: "<b>" } } },
    '{"Cmd":["sh"],"Labels":{"a":"<b>"}}',
  ],
  ["{{lower .Name}}", { Name: "WEB" }, "web"],
  // An int64 beyond 2^53 (an event's timeNano) prints and encodes exactly.
  [
    "{{.T}} {{json .}}",
    { T: 1700000000123456789n },
    '1700000000123456789 {"T":1700000000123456789}',
  ],
  ['{{split .Image ":"}}', { Image: "busybox:1.36" }, "[busybox 1.36]"],
  ["{{title .Name}}", { Name: "hello world-x" }, "Hello World-X"],
  ["{{upper .Name}}", container, "/WEB"],
  ["{{pad .Name 2 3}}|", { Name: "web" }, "  web   |"],
  ["{{pad .Name 2 3}}|", { Name: "" }, "|"],
  ["{{truncate .Id 5}}", container, "01234"],
  ['{{join .Names ","}}', { Names: ["a", "b"] }, "a,b"],
  ["{{.Repository}}:{{.Tag}}", { Repository: "busybox", Tag: "latest" }, "busybox:latest"],
  ["{{range .Mounts}}{{.Source}} {{end}}", container, "/srv /tmp/x "],
  ['{{index .Config.Labels "com.example.k"}}', container, "v"],
  ['{{index .Config.Labels "nope"}}', container, ""],
  ['{{printf "%-20s|" .Name}}', container, "/web                |"],
  ["{{.State.Pid}}", container, "42"],
  ["{{.Config.Env}}", container, "[PATH=/bin A=1]"],
  ["{{.Config.Labels}}", container, "map[a:b com.example.k:v]"],
  ["{{.Config.Labels.nope}}", container, "<no value>"],
  ["{{.Config.Cmd}} {{.Config.Volumes}} {{json .Config.Cmd}}", container, "[] map[] null"],
  ["{{.State.Health}}", container, "<nil>"],
  ["{{len .Mounts}} {{len .Name}} {{len .Config.Labels}}", container, "2 4 2"],
  [
    "{{range $p, $conf := .NetworkSettings.Ports}}{{$p}} -> {{(index $conf 0).HostPort}}{{end}}",
    container,
    "80/tcp -> 8080",
  ],
  // Actions, trimming, comments.
  ["a {{- /* note */ -}} b", {}, "ab"],
  ["a {{/* note */}} b", {}, "a  b"],
  ["x\n  {{- .RestartCount }}\n  y", container, "x3\n  y"],
  ["{{.RestartCount -}}\n  y", container, "3y"],
  ["{{-3}}", {}, "-3"],
  // Control structures.
  ["{{if .State.Running}}up{{else}}down{{end}}", container, "up"],
  [
    "{{if eq .RestartCount 1}}one{{else if gt .RestartCount 2}}many{{else}}two{{end}}",
    container,
    "many",
  ],
  ["{{with .State}}{{.Status}}{{end}}", container, "running"],
  ["{{with .Config.Cmd}}x{{else}}none{{end}}", container, "none"],
  ["{{range .Config.Cmd}}x{{else}}empty{{end}}", container, "empty"],
  ["{{range $i, $e := .Args}}{{$i}}:{{$e}};{{end}}", container, "0:-c;1:echo hi;"],
  ["{{range $e := .Args}}{{$e}};{{end}}", container, "-c;echo hi;"],
  ["{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}", container, "a=b,com.example.k=v,"],
  ['{{range .Args}}{{if eq . "echo hi"}}{{break}}{{end}}{{.}}{{end}}', container, "-c"],
  ['{{range .Args}}{{if eq . "-c"}}{{continue}}{{end}}{{.}}{{end}}', container, "echo hi"],
  ["{{range 3}}{{.}}{{end}}", {}, "012"],
  ["{{$n := .Name}}{{range .Args}}{{$n}}{{end}}", container, "/web/web"],
  ["{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", {}, "2"],
  ["{{range .Args}}{{$.Name}}{{end}}", container, "/web/web"],
  [
    '{{define "m"}}<{{.Source}}>{{end}}{{range .Mounts}}{{template "m" .}}{{end}}',
    container,
    "</srv></tmp/x>",
  ],
  ['{{block "b" .Name}}[{{.}}]{{end}}', container, "[/web]"],
  // Pipelines and parentheses.
  ['{{.Name | printf "%s!"}}', container, "/web!"],
  ['{{.Name | upper | printf "%q"}}', container, '"/WEB"'],
  ["{{(index .Mounts 1).Destination}}", container, "/x"],
  ['{{len (split "a:b:c" ":")}}', {}, "3"],
  // Literals and Go's printing.
  [
    "{{\"a\\tb\"}} {{`raw\\n`}} {{'a'}} {{0x1F}} {{1e3}} {{1.5}} {{true}} {{nil | print}}",
    {},
    "a\tb raw\\n 97 31 1000 1.5 true <nil>",
  ],
  ["{{.F}} {{.G}} {{.H}}", { F: 0.000012, G: 1234567.5, H: -2.25 }, "1.2e-05 1.2345675e+06 -2.25"],
  ["{{.State}}", { State: { Status: "running", Pid: 1 } }, "{running 1}"],
  ["{{.}}", [["a", "b"], ["c"]], "[[a b] [c]]"],
  // Built-ins.
  [
    '{{and 1 0 2}} {{and 1 2}} {{or 0 "" 3}} {{or 0 ""}} {{not .Config.Cmd}}',
    container,
    "0 2 3  true",
  ],
  ["{{if and .State.Running (eq .State.Pid 42)}}yes{{end}}", container, "yes"],
  [
    '{{eq .Name "/a" "/web"}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}',
    container,
    "true true true true true false",
  ],
  ['{{index .Args 1}} {{index "abc" 1}} {{index .M "x" 0}}', {
    ...container,
    M: new Map([["x", ["y"]]]),
  }, "echo hi 98 y"],
  ["{{slice .Name 1 3}} {{slice .Args 1}}", container, "we [echo hi]"],
  ['{{print "a" 1 2 "b"}}|{{println "a" 1}}|', {}, "a1 2b|a 1\n|"],
  [
    '{{html "<a href=\'x\'>"}} {{js "it\'s <x>"}} {{urlquery "a b&c"}}',
    {},
    "&lt;a href=&#39;x&#39;&gt; it\\'s \\u003Cx\\u003E a+b%26c",
  ],
  ['{{.Label "k"}} {{.Label "z"}}', {
    Label: (k: string) => ({ k: "v" } as Record<string, string>)[k] ?? "",
  }, "v "],
  // printf.
  [
    '{{printf "%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%b|%c" 42 42 42 42 42 255 255 8 5 65}}',
    {},
    "42|   42|42   |00042|+42|ff|FF|10|101|A",
  ],
  [
    '{{printf "%s|%10s|%.2s|%q|%v|%t|%x" "abc" "abc" "abc" "a\\"b" .Args true "hi"}}',
    container,
    'abc|       abc|ab|"a\\"b"|[-c echo hi]|true|6869',
  ],
  [
    '{{printf "%.2f|%8.3f|%e|%g|%v|%%" 3.14159 2.5 1234.5 0.5 1.5}}',
    {},
    "3.14|   2.500|1.234500e+03|0.5|1.5|%",
  ],
  ['{{printf "%d %s" "x"}}', {}, "%!d(string=x) %!s(MISSING)"],
  ['{{printf "%s" "a" 1}}', {}, "a%!(EXTRA int=1)"],
  ['{{printf "%v %v" .Config.Labels .State.Pid}}', container, "map[a:b com.example.k:v] 42"],
];

for (const [template, data, want] of cases) {
  Deno.test(`renderTemplate() renders ${JSON.stringify(template)}`, () => {
    assert.equal(renderTemplate(template, data), want);
  });
}

const errors: [string, unknown, string][] = [
  ["{{foo .Name}}", container, 'template: 1:2: function "foo" not defined'],
  [
    "{{.Nope}}",
    container,
    "template: 1:2: executing at <.Nope>: can't evaluate field Nope in type struct",
  ],
  [
    "ab\n{{.State.Nope}}",
    container,
    "template: 2:2: executing at <.State.Nope>: can't evaluate field Nope",
  ],
  ["{{.Name", container, "template: 1:0: unclosed action"],
  ["{{if .Name}}x", container, "missing {{end}} for {{if}}"],
  ["{{end}}", container, "template: 1:2: unexpected {{end}}"],
  ["{{$x}}", container, 'template: 1:2: undefined variable "$x"'],
  ["{{index .Args 5}}", container, "error calling index: index out of range: 5"],
  ["{{.State.Health.Status}}", container, "nil pointer evaluating Status"],
  ["{{len 3}}", container, "error calling len: len of type int"],
  ["{{join .Args}}", container, "wrong number of args for join: want 2 got 1"],
  [
    "{{upper .State.Pid}}",
    container,
    "error calling upper: wrong type for value; expected string; got int",
  ],
  ['{{eq "a" 1}}', container, "incompatible types for comparison"],
  ["{{.Name 1}}", container, "Name has arguments but cannot be invoked as function"],
  ['{{"a" 1}}', container, "can't give argument to non-function"],
  ["{{break}}", container, "{{break}} outside {{range}}"],
  ['{{"abc}}', container, "unterminated quoted string"],
  ["{{/* open }}", container, "unclosed comment"],
  ["{{range .Name}}{{end}}", container, "range can't iterate over /web"],
  ["{{with .Name}}{{else if .Name}}{{end}}", container, "unexpected {{else if}} in {{with}}"],
  ["{{.Name | }}", container, "missing command"],
  ['{{template "none"}}', container, 'no such template "none"'],
];

for (const [template, data, want] of errors) {
  Deno.test(`renderTemplate() fails on ${JSON.stringify(template)} with ${JSON.stringify(want)}`, () => {
    let err: unknown;
    try {
      renderTemplate(template, data);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TemplateError, `no TemplateError: ${err}`);
    assert.ok(err.message.includes(want), `${err.message} lacks ${want}`);
    assert.equal(err.exitCode, 125);
    assert.equal(err.template, template);
  });
}

Deno.test("parseTemplate() parses once and executes over many values", () => {
  const t = parseTemplate("{{.ID}}\t{{.Names}}");
  assert.equal(t.execute({ ID: "1", Names: "a" }), "1\ta");
  assert.equal(t.execute({ ID: "2", Names: "b" }), "2\tb");
  assert.equal(t.text, "{{.ID}}\t{{.Names}}");
});

Deno.test("parseTemplate() takes functions and map fields of the caller's", () => {
  const t = parseTemplate("{{double .N}} {{.Extra.x}}", {
    funcs: { double: { min: 1, max: 1, fn: ([n]) => Number(n) * 2 } },
    mapFields: new Set(["Extra"]),
  });
  assert.equal(t.execute({ N: 4, Extra: {} }), "8 <no value>");
  // Without "Extra" as a map, a missing field of the object is an error, as for a struct.
  assert.throws(() => renderTemplate("{{.Extra.x}}", { Extra: {} }), /can't evaluate field x/);
});

Deno.test("tabWriter() aligns as docker's tabwriter (minimum width 10, padding 3)", () => {
  assert.equal(
    tabWriter("CONTAINER ID\tNAMES\tSTATUS\n0123456789ab\tweb\tUp 2 seconds\n"),
    "CONTAINER ID   NAMES     STATUS\n0123456789ab   web       Up 2 seconds\n",
  );
  // The text after the last tab is not a column: it is not padded.
  assert.equal(tabWriter("a\tb\nlonger-than-ten\tc"), "a                 b\nlonger-than-ten   c");
  // Lines without the column end a block: the next block has its own width.
  assert.equal(tabWriter("aaaaaaaaaaaaa\tx\nplain\nb\ty"), "aaaaaaaaaaaaa   x\nplain\nb         y");
});
