/**
 * docker's `--change` (`nook import --change 'CMD ["sh"]'`): Dockerfile
 * instructions applied to an image config. `INSTRUCTION value` and podman's
 * `INSTRUCTION=value` both work. Supported: CMD and ENTRYPOINT (JSON or
 * shell form), ENV and LABEL (`k=v ...`, quotes as in a Dockerfile, or the
 * legacy `ENV NAME value`), WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL.
 * Variables are not expanded.
 *
 * @module
 */
import { UsageError } from "../errors/mod.ts";
import type { ContainerConfig } from "./image_config.ts";

/**
 * The instructions `--change` takes.
 *
 * @example
 * ```ts
 * import { CHANGE_INSTRUCTIONS } from "./image_changes.ts";
 * console.assert(CHANGE_INSTRUCTIONS.includes("CMD"));
 * ```
 */
export const CHANGE_INSTRUCTIONS: readonly string[] = [
  "CMD",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "LABEL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
];

/**
 * Splits text into words as a Dockerfile does: whitespace separates, double
 * quotes keep spaces (backslash escapes `"`, `\` and `$` inside), single
 * quotes keep everything, a backslash outside quotes escapes the next character.
 *
 * @param text The text.
 * @returns The words, quotes removed.
 * @throws {UsageError} On an unterminated quote.
 *
 * @example
 * ```ts
 * import { splitWords } from "./image_changes.ts";
 * console.assert(splitWords(`A="x y" B='$z' C=a\\ b`).join("|") === "A=x y|B=$z|C=a b");
 * ```
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`Unterminated quote in '${text}'`);
      word += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "\\" && j + 1 < text.length && '"\\$'.includes(text[j + 1])) j++;
        word += text[j];
      }
      if (j >= text.length) throw new UsageError(`Unterminated quote in '${text}'`);
      i = j;
    } else {
      word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** `k=v k2=v2` pairs, or the legacy `k v with spaces`. */
function pairs(instruction: string, value: string): [string, string][] {
  const words = splitWords(value);
  if (words.length === 0) throw new UsageError(`${instruction} needs at least one argument`);
  if (!words[0].includes("=")) {
    const rest = value.trim().slice(value.trim().search(/\s/)).trim();
    if (words.length < 2) throw new UsageError(`${instruction} '${value}' needs a value`);
    return [[words[0], splitWords(rest).join(" ")]];
  }
  return words.map((w) => {
    const eq = w.indexOf("=");
    if (eq <= 0) throw new UsageError(`${instruction} '${w}' is not NAME=VALUE`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/** The JSON form (`["a", "b"]`) or the shell form (`/bin/sh -c 'text'`). */
function command(instruction: string, value: string): string[] {
  const text = value.trim();
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === "string")) return parsed;
    throw new UsageError(`${instruction} '${text}' is not a JSON array of strings`);
  }
  if (text === "") throw new UsageError(`${instruction} needs a command`);
  return ["/bin/sh", "-c", text];
}

function setEnv(env: string[], name: string, value: string): string[] {
  return [...env.filter((e) => e.split("=")[0] !== name), `${name}=${value}`];
}

function applyOne(config: ContainerConfig, change: string): void {
  const m = /^\s*([A-Za-z]+)(?:\s+|=|$)([\s\S]*)$/.exec(change);
  const instruction = m?.[1].toUpperCase() ?? "";
  const value = m?.[2] ?? "";
  if (!CHANGE_INSTRUCTIONS.includes(instruction)) {
    throw new UsageError(
      `Invalid --change '${change}': ${
        instruction ? `'${instruction}' is not supported` : "no instruction"
      } (use ${CHANGE_INSTRUCTIONS.join(", ")})`,
    );
  }
  switch (instruction) {
    case "CMD":
      config.Cmd = command(instruction, value);
      break;
    case "ENTRYPOINT":
      config.Entrypoint = command(instruction, value);
      break;
    case "ENV":
      for (const [k, v] of pairs(instruction, value)) config.Env = setEnv(config.Env ?? [], k, v);
      break;
    case "LABEL":
      for (const [k, v] of pairs(instruction, value)) config.Labels = { ...config.Labels, [k]: v };
      break;
    case "WORKDIR": {
      const dir = value.trim();
      if (!dir) throw new UsageError("WORKDIR needs a path");
      config.WorkingDir = dir.startsWith("/")
        ? dir
        : `${(config.WorkingDir || "/").replace(/\/$/, "")}/${dir}`;
      break;
    }
    case "USER":
      if (!value.trim()) throw new UsageError("USER needs a user");
      config.User = value.trim();
      break;
    case "STOPSIGNAL":
      if (!value.trim()) throw new UsageError("STOPSIGNAL needs a signal");
      config.StopSignal = value.trim();
      break;
    case "EXPOSE":
      for (const port of splitWords(value)) {
        const p = /^(\d+(?:-\d+)?)(?:\/(tcp|udp|sctp))?$/i.exec(port);
        if (!p) throw new UsageError(`EXPOSE '${port}' is not PORT[/PROTOCOL]`);
        config.ExposedPorts = {
          ...config.ExposedPorts,
          [`${p[1]}/${(p[2] ?? "tcp").toLowerCase()}`]: {},
        };
      }
      break;
    case "VOLUME": {
      const paths = value.trim().startsWith("[") ? command(instruction, value) : splitWords(value);
      if (paths.length === 0) throw new UsageError("VOLUME needs a path");
      for (const path of paths) config.Volumes = { ...config.Volumes, [path]: {} };
      break;
    }
  }
}

/**
 * Applies `--change` instructions to a container config.
 *
 * @param config The config to start from (not changed).
 * @param changes The instructions, in order.
 * @returns The new config.
 * @throws {UsageError} On an unsupported instruction or a malformed value.
 *
 * @example
 * ```ts
 * import { applyChanges } from "./image_changes.ts";
 * const c = applyChanges({}, ["CMD echo hi", "ENV=A=1 B='x y'", 'ENTRYPOINT ["/bin/sh", "-c"]']);
 * console.assert(c.Cmd?.join(" ") === "/bin/sh -c echo hi" && c.Env?.[1] === "B=x y");
 * ```
 */
export function applyChanges(
  config: ContainerConfig,
  changes: readonly string[],
): ContainerConfig {
  const out: ContainerConfig = structuredClone(config);
  for (const change of changes) applyOne(out, change);
  return out;
}
