import { deepStrictEqual } from "node:assert";
import { parseWwwAuthenticate } from "./www_authenticate.ts";

Deno.test("parseWwwAuthenticate() reads Docker Hub's Bearer challenge", () => {
  deepStrictEqual(
    parseWwwAuthenticate(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",' +
        'scope="repository:library/busybox:pull"',
    ),
    [{
      scheme: "bearer",
      params: {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:library/busybox:pull",
      },
    }],
  );
});

Deno.test("parseWwwAuthenticate() keeps commas inside quoted values", () => {
  deepStrictEqual(
    parseWwwAuthenticate(
      'Bearer realm="https://r/token", scope="repository:a/b:pull,push", error="insufficient_scope"',
    )[0].params,
    { realm: "https://r/token", scope: "repository:a/b:pull,push", error: "insufficient_scope" },
  );
});

Deno.test("parseWwwAuthenticate() reads Basic with a case-insensitive scheme", () => {
  deepStrictEqual(parseWwwAuthenticate('BASIC realm="nook test"'), [
    { scheme: "basic", params: { realm: "nook test" } },
  ]);
});

Deno.test("parseWwwAuthenticate() splits several challenges in one header", () => {
  deepStrictEqual(
    parseWwwAuthenticate('Basic realm="a", Bearer realm="https://t/token",service=reg, Negotiate'),
    [
      { scheme: "basic", params: { realm: "a" } },
      { scheme: "bearer", params: { realm: "https://t/token", service: "reg" } },
      { scheme: "negotiate", params: {} },
    ],
  );
});

Deno.test("parseWwwAuthenticate() unescapes quoted pairs and takes unquoted tokens", () => {
  deepStrictEqual(parseWwwAuthenticate('Bearer realm="a\\"b\\\\c", Service = x.y'), [
    { scheme: "bearer", params: { realm: 'a"b\\c', service: "x.y" } },
  ]);
});

Deno.test("parseWwwAuthenticate() reads a token68 and survives garbage", () => {
  deepStrictEqual(parseWwwAuthenticate("Custom abc123=="), [
    { scheme: "custom", params: { token68: "abc123==" } },
  ]);
  deepStrictEqual(parseWwwAuthenticate(""), []);
  deepStrictEqual(parseWwwAuthenticate(null), []);
  deepStrictEqual(parseWwwAuthenticate('Bearer realm="unterminated'), [
    { scheme: "bearer", params: { realm: "unterminated" } },
  ]);
  deepStrictEqual(parseWwwAuthenticate("@@@ Basic"), [{ scheme: "basic", params: {} }]);
});
