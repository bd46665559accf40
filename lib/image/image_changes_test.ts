import assert from "node:assert/strict";
import { UsageError } from "../errors/mod.ts";
import { applyChanges, splitWords } from "./image_changes.ts";

Deno.test("applyChanges() takes docker's and podman's forms of every supported instruction", () => {
  const config = applyChanges({ Env: ["PATH=/bin", "A=old"] }, [
    'CMD ["echo", "hi there"]',
    "ENTRYPOINT=/entry.sh --flag",
    'ENV A=1 B="two words" C=a\\ b',
    "ENV LEGACY  spaced   value",
    "env=D=4",
    "WORKDIR /srv",
    "WORKDIR app",
    "USER 1000:1000",
    'LABEL org.x="y z" k=v',
    "EXPOSE 80 53/udp 8000-8010/TCP",
    'VOLUME ["/data", "/logs"]',
    "VOLUME /cache",
    "STOPSIGNAL SIGINT",
  ]);
  assert.deepEqual(config, {
    Cmd: ["echo", "hi there"],
    Entrypoint: ["/bin/sh", "-c", "/entry.sh --flag"],
    Env: ["PATH=/bin", "A=1", "B=two words", "C=a b", "LEGACY=spaced value", "D=4"],
    WorkingDir: "/srv/app",
    User: "1000:1000",
    Labels: { "org.x": "y z", k: "v" },
    ExposedPorts: { "80/tcp": {}, "53/udp": {}, "8000-8010/tcp": {} },
    Volumes: { "/data": {}, "/logs": {}, "/cache": {} },
    StopSignal: "SIGINT",
  });
});

Deno.test("applyChanges() refuses unsupported instructions and malformed values, naming them", () => {
  const bad: [string, RegExp][] = [
    ["RUN echo", /'RUN' is not supported \(use CMD, ENTRYPOINT/],
    ["", /no instruction/],
    ['CMD ["sh", 1]', /not a JSON array of strings/],
    ["CMD", /CMD needs a command/],
    ["ENV =x", /is not NAME=VALUE/],
    ["ENV A", /needs a value/],
    ["EXPOSE http", /EXPOSE 'http' is not PORT\[\/PROTOCOL\]/],
    ['LABEL a="open', /Unterminated quote/],
  ];
  for (const [change, message] of bad) {
    assert.throws(
      () => applyChanges({}, [change]),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      change,
    );
  }
});

Deno.test("applyChanges() leaves its input alone, and splitWords() keeps quoted text", () => {
  const input = { Env: ["A=1"] };
  applyChanges(input, ["ENV A=2"]);
  assert.deepEqual(input, { Env: ["A=1"] });
  assert.deepEqual(splitWords(`a "b \\"c\\" $d" 'e\\ f' g\\ h ""`), [
    "a",
    'b "c" $d',
    "e\\ f",
    "g h",
    "",
  ]);
});
