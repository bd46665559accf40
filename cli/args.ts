/**
 * A docker-style flag parser: `--flag value`, `--flag=value`, bundled short
 * flags (`-it`, `-eA=1`), repeatable list flags, and parsing that stops at the
 * first positional argument (everything after the image or rootfs is the
 * container's argv).
 *
 * @module
 */
import { UsageError } from "../lib/errors/mod.ts";

/** One flag a command takes. */
export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  /** One-letter alias. */
  short?: string;
  /** Other long names (e.g. "net" for "network"). */
  aliases?: string[];
  /** "bool" takes no value; "string" keeps the last; "list" keeps all. */
  type: "bool" | "string" | "list";
  /** Shown by --help. */
  help?: string;
  /** Placeholder for the value in --help. */
  value?: string;
}

/** Parsed flags: by long name. */
export interface ParsedArgs {
  /** bool flags. */
  bools: Record<string, boolean>;
  /** string flags. */
  strings: Record<string, string>;
  /** list flags. */
  lists: Record<string, string[]>;
  /** Positionals: after the first one, everything. */
  rest: string[];
}

/** Options of {@linkcode parseArgs}. */
export interface ParseArgsOptions {
  /** Command name for messages ("run"). */
  command: string;
  /** Stop at the first positional (default true). */
  stopAtPositional?: boolean;
}

const BOOL_TEXT: Record<string, boolean> = { true: true, false: false, "1": true, "0": false };

/**
 * Parses a command's arguments.
 *
 * @param args The arguments after the command name.
 * @param specs The flags the command takes.
 * @param options Command name and parsing mode.
 * @returns The flags and the positionals.
 * @throws {UsageError} On an unknown flag or a missing value.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const p = parseArgs(["-it", "-e", "A=1", "--rm", "img", "-x"], [
 *   { name: "interactive", short: "i", type: "bool" },
 *   { name: "tty", short: "t", type: "bool" },
 *   { name: "env", short: "e", type: "list" },
 *   { name: "rm", type: "bool" },
 * ], { command: "run" });
 * console.assert(p.bools.tty && p.lists.env[0] === "A=1" && p.rest.join(" ") === "img -x");
 * const q = parseArgs(["-t=false"], [{ name: "tty", short: "t", type: "bool" }], { command: "run" });
 * console.assert(q.bools.tty === false);
 * ```
 */
export function parseArgs(
  args: readonly string[],
  specs: readonly FlagSpec[],
  options: ParseArgsOptions,
): ParsedArgs {
  const out: ParsedArgs = { bools: {}, strings: {}, lists: {}, rest: [] };
  const byLong = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const s of specs) {
    byLong.set(s.name, s);
    for (const a of s.aliases ?? []) byLong.set(a, s);
    if (s.short) byShort.set(s.short, s);
    if (s.type === "list") out.lists[s.name] = [];
  }
  const unknown = (flag: string) =>
    new UsageError(`unknown flag: ${flag}\nSee 'nook ${options.command} --help'`);
  const set = (spec: FlagSpec, value: string | undefined, flag: string) => {
    if (spec.type === "bool") {
      const v = value === undefined ? true : BOOL_TEXT[value.toLowerCase()];
      if (v === undefined) {
        throw new UsageError(`invalid value '${value}' for flag ${flag}: expected true or false`);
      }
      out.bools[spec.name] = v;
    } else if (value === undefined) {
      throw new UsageError(`flag needs an argument: ${flag}\nSee 'nook ${options.command} --help'`);
    } else if (spec.type === "string") {
      out.strings[spec.name] = value;
    } else {
      out.lists[spec.name].push(value);
    }
  };
  let i = 0;
  while (i < args.length) {
    const arg = args[i++];
    if (arg === "--") {
      out.rest.push(...args.slice(i));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) throw unknown(`--${name}`);
      let value = eq < 0 ? undefined : arg.slice(eq + 1);
      if (value === undefined && spec.type !== "bool" && i < args.length) value = args[i++];
      set(spec, value, `--${name}`);
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const spec = byShort.get(arg[k]);
        if (!spec) throw unknown(`-${arg[k]}`);
        if (spec.type === "bool") {
          // pflag's "-H=false": the value after "=" is the bool's, and ends the group.
          if (arg[k + 1] === "=") {
            set(spec, arg.slice(k + 2), `-${arg[k]}`);
            break;
          }
          set(spec, undefined, `-${arg[k]}`);
          continue;
        }
        let value: string | undefined = arg.slice(k + 1);
        if (value === "") value = i < args.length ? args[i++] : undefined;
        set(spec, value, `-${arg[k]}`);
        break;
      }
    } else {
      out.rest.push(arg);
      if (options.stopAtPositional ?? true) {
        out.rest.push(...args.slice(i));
        break;
      }
    }
  }
  return out;
}

/**
 * The --help text of a command.
 *
 * @param usage The usage line ("nook run [OPTIONS] ...").
 * @param summary One sentence.
 * @param specs Its flags.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { helpText } from "./args.ts";
 * console.assert(helpText("nook x", "Does x", [{ name: "rm", type: "bool", help: "remove" }]).includes("--rm"));
 * ```
 */
export function helpText(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const names = (s.short ? `-${s.short}, ` : "    ") + `--${s.name}` +
      (s.type === "bool" ? "" : ` ${s.value ?? (s.type === "list" ? "list" : "string")}`);
    return [names, s.help ?? ""];
  });
  const width = Math.max(...rows.map((r) => r[0].length), 0) + 2;
  return `Usage:  ${usage}\n\n${summary}\n\nOptions:\n` +
    rows.map(([n, h]) => `  ${n.padEnd(width)}${h}`).join("\n") + "\n";
}
