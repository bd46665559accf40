import { deepStrictEqual } from "node:assert";
import { describeNetworkError } from "./_network_error.ts";

function denoError(detail: string): Error {
  return new TypeError("fetch failed", {
    cause: new Error(
      `error sending request for url (https://h/v2/): client error (Connect): ${detail}`,
    ),
  });
}

Deno.test("describeNetworkError() tells an untrusted certificate from other failures", () => {
  deepStrictEqual(describeNetworkError(denoError("invalid peer certificate: UnknownIssuer")), {
    tls: true,
    text: "invalid peer certificate: UnknownIssuer",
  });
  deepStrictEqual(
    describeNetworkError(denoError("tcp connect error: Connection refused (os error 111)")),
    { tls: false, text: "tcp connect error: Connection refused (os error 111)" },
  );
  deepStrictEqual(
    describeNetworkError(denoError("received corrupt message of type InvalidContentType")),
    { tls: false, text: "received corrupt message of type InvalidContentType" },
  );
});

Deno.test("describeNetworkError() reads node:https errors", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
    code: "ECONNREFUSED",
  });
  deepStrictEqual(describeNetworkError(new TypeError("fetch failed", { cause: refused })), {
    tls: false,
    text: "connection refused",
  });
  const untrusted = Object.assign(new Error("self-signed certificate"), {
    code: "DEPTH_ZERO_SELF_SIGNED_CERT",
  });
  deepStrictEqual(describeNetworkError(untrusted).tls, true);
});
