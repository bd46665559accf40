import assert from "node:assert/strict";
import {
  decodeMonitorReport,
  encodeMonitorConfig,
  formatState,
  type MonitorConfig,
  parseState,
} from "./monitor_protocol.ts";

const base: MonitorConfig = {
  id: "c1",
  program: "/run/c1/program",
  state: "/data/c1/state",
  log: "/data/c1/container.log",
  userns: { mode: "join" },
};

Deno.test("encodeMonitorConfig() writes one tab-separated line per setting, in a fixed order", () => {
  assert.equal(
    encodeMonitorConfig({
      ...base,
      tty: true,
      openStdin: false,
      restart: { policy: "on-failure", maxRetries: 3 },
      userns: {
        mode: "subid",
        newuidmap: "/usr/bin/newuidmap",
        newgidmap: "/usr/bin/newgidmap",
        uid: [{ inside: 0, outside: 1000, count: 1 }, { inside: 1, outside: 100000, count: 65536 }],
        gid: [{ inside: 0, outside: 1000, count: 1 }],
      },
      netHelper: {
        argv: ["/usr/bin/pasta", "{pid}"],
        log: "/run/c1/net.log",
        api: "",
        requests: [],
      },
      onExit: [],
    }),
    [
      "id\tc1",
      "program\t/run/c1/program",
      "state\t/data/c1/state",
      "log\t/data/c1/container.log",
      "restart\ton-failure\t3",
      "open-stdin\t0",
      "tty\t1",
      "userns\tnew",
      "newuidmap\t/usr/bin/newuidmap\t0\t1000\t1\t1\t100000\t65536",
      "newgidmap\t/usr/bin/newgidmap\t0\t1000\t1",
      // No API socket: no net-api line; an empty on-exit writes none.
      "net-helper\t/usr/bin/pasta\t{pid}",
      "net-log\t/run/c1/net.log",
      "",
    ].join("\n"),
  );
});

Deno.test("encodeMonitorConfig() joins the single mapping's ranges with ';' and defaults restart to no", () => {
  const text = encodeMonitorConfig({
    ...base,
    userns: {
      mode: "single",
      uid: [{ inside: 0, outside: 1000, count: 1 }, { inside: 1, outside: 2000, count: 5 }],
      gid: [{ inside: 0, outside: 1000, count: 1 }],
    },
  });
  assert.match(
    text,
    /\nrestart\tno\t0\nuserns\tnew\nuid-map\t0 1000 1;1 2000 5\ngid-map\t0 1000 1\n$/,
  );
});

Deno.test("decodeMonitorReport() reads each kind with its fields", () => {
  assert.deepEqual(decodeMonitorReport("ok 41 9876\n"), { kind: "ok", pid: 41, pidStart: "9876" });
  assert.deepEqual(decodeMonitorReport("fail step 3 22 2\n"), {
    kind: "step",
    step: 3,
    op: 22,
    errno: 2,
  });
  assert.deepEqual(decodeMonitorReport("fail clone 1\n"), { kind: "clone", errno: 1 });
  assert.deepEqual(decodeMonitorReport("fail cgroup 13\n"), { kind: "cgroup", errno: 13 });
  assert.deepEqual(decodeMonitorReport("fail map cannot run 'x': No such file\n"), {
    kind: "map",
    text: "cannot run 'x': No such file",
  });
  assert.deepEqual(decodeMonitorReport("fail other bad config line 'id'\n"), {
    kind: "other",
    text: "bad config line 'id'",
  });
  assert.deepEqual(decodeMonitorReport("fail net ready 110\n"), {
    kind: "net",
    failure: { kind: "ready", errno: 110 },
  });
  assert.deepEqual(
    decodeMonitorReport('fail net request 1 {"error": {"desc": "bind: Address in use"}}\n'),
    {
      kind: "net",
      failure: { kind: "request", index: 1, reply: '{"error": {"desc": "bind: Address in use"}}' },
    },
  );
});

Deno.test("decodeMonitorReport() calls a missing, truncated or unknown report unreadable", () => {
  for (
    const text of [
      "",
      "ok",
      "ok x 1",
      "fail",
      "fail bogus 1",
      "fail step 1 2",
      "fail clone x",
      "fail net spawn",
      "fail net request x y",
      "fail other",
    ]
  ) {
    assert.deepEqual(
      decodeMonitorReport(`${text}\n`, 3),
      { kind: "unreadable", text, exitCode: 3 },
      text,
    );
  }
});

Deno.test("parseState() reads what formatState() writes, '-' as unknown", () => {
  const text = "status exited\npid 7\npid-start 55\nmonitor 6\nmonitor-start 50\nboot b-1\n" +
    "started 100\nrestarts 2\noom-kills 1\nexit-code 137\nfinished 200\n";
  const s = parseState(text);
  assert.deepEqual(s, {
    status: "exited",
    pid: 7,
    pidStart: "55",
    monitor: 6,
    monitorStart: "50",
    boot: "b-1",
    started: 100,
    finished: 200,
    exitCode: 137,
    restarts: 2,
    oomKills: 1,
  });
  assert.equal(formatState(s), text);
  const none = parseState("status running\npid 9\npid-start -\n");
  assert.equal(none.pidStart, "-");
  assert.equal(none.monitor, 0);
  assert.equal(none.exitCode, undefined);
  assert.equal(parseState("").status, "unknown");
});
