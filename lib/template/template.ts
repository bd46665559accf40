/**
 * Go's text/template, with docker's functions: {@linkcode parseTemplate}
 * and {@linkcode renderTemplate}.
 *
 * @module
 */
import { execute } from "./_exec.ts";
import { BUILTINS, type TemplateFunc } from "./_funcs.ts";
import { parse, type Tree } from "./_parse.ts";

export type { FuncContext, TemplateFunc } from "./_funcs.ts";

/**
 * Fields that are maps in docker's and podman's JSON: a missing key is
 * `<no value>` (not an error), they print as `map[k:v]`, `null` as `map[]`.
 */
export const DOCKER_MAP_FIELDS: ReadonlySet<string> = new Set([
  "Labels",
  "ExposedPorts",
  "Volumes",
  "Ports",
  "Networks",
  "PortBindings",
  "Sysctls",
  "Data",
  "Options",
  "DriverOpts",
  "Containers",
  "Annotations",
  "StorageOpt",
  "Tmpfs",
  "Status",
]); // deno-fmt-ignore

/** Fields that are slices in docker's JSON: `null` prints as `[]`. */
export const DOCKER_LIST_FIELDS: ReadonlySet<string> = new Set([
  "Cmd", "Entrypoint", "Env", "RepoTags", "RepoDigests", "Layers", "Mounts", "Binds", "Args",
  "OnBuild", "Shell", "Aliases", "Links", "DNSNames", "CapAdd", "CapDrop", "Dns", "DnsOptions",
  "DnsSearch", "ExtraHosts", "GroupAdd", "SecurityOpt", "Devices", "Ulimits", "MaskedPaths",
  "ReadonlyPaths", "Test",
]); // deno-fmt-ignore

/** Options of {@linkcode parseTemplate}. */
export interface TemplateOptions {
  /** Functions besides Go's built-ins and docker's extras (or replacing them). */
  funcs?: Record<string, TemplateFunc>;
  /** Field names whose values are maps (default {@linkcode DOCKER_MAP_FIELDS}). */
  mapFields?: ReadonlySet<string>;
  /** Field names whose values are slices (default {@linkcode DOCKER_LIST_FIELDS}). */
  listFields?: ReadonlySet<string>;
}

/**
 * A parsed template.
 *
 * @example
 * ```ts
 * import { parseTemplate } from "./template.ts";
 * const t = parseTemplate("{{range $i, $n := .Names}}{{if $i}},{{end}}{{upper $n}}{{end}}");
 * console.assert(t.execute({ Names: ["a", "b"] }) === "A,B");
 * ```
 */
export class Template {
  /** The template's text. */
  readonly text: string;
  #tree: Tree;
  #funcs: Record<string, TemplateFunc>;
  #mapFields: ReadonlySet<string>;
  #listFields: ReadonlySet<string>;

  /**
   * Parses a template (see {@linkcode parseTemplate}).
   *
   * @param text The template.
   * @param options Functions and the names of map and list fields.
   * @throws {TemplateError} When it does not parse.
   */
  constructor(text: string, options: TemplateOptions = {}) {
    this.text = text;
    this.#funcs = { ...BUILTINS, ...options.funcs };
    this.#mapFields = options.mapFields ?? DOCKER_MAP_FIELDS;
    this.#listFields = options.listFields ?? DOCKER_LIST_FIELDS;
    this.#tree = parse(text, new Set(Object.keys(this.#funcs)));
  }

  /**
   * Runs the template over `data`.
   *
   * @param data What `.` and `$` stand for.
   * @returns The text.
   * @throws {TemplateError} When an action fails (a missing struct field, a bad argument).
   */
  execute(data: unknown): string {
    return execute(this.#tree, data, {
      src: this.text,
      funcs: this.#funcs,
      mapFields: this.#mapFields,
      listFields: this.#listFields,
    });
  }
}

/**
 * Parses a Go text/template: actions, `{{- -}}`, comments, variables,
 * `if`/`else if`/`else`, `range` (with `$i, $v :=`, `else`, `break`,
 * `continue`), `with`, `define`/`template`/`block`, pipelines, Go's
 * built-in functions and docker's (`json`, `join`, `split`, `lower`,
 * `upper`, `title`, `truncate`, `pad`).
 *
 * @param text The template.
 * @param options Functions and the names of map and list fields.
 * @returns The template.
 * @throws {TemplateError} When it does not parse: `template: 1:2: function "foo" not defined`.
 *
 * @example
 * ```ts
 * import { parseTemplate } from "./template.ts";
 * const t = parseTemplate('{{index .Labels "k"}} {{.Labels}}');
 * console.assert(t.execute({ Labels: { k: "v", a: "b" } }) === "v map[a:b k:v]");
 * ```
 */
export function parseTemplate(text: string, options: TemplateOptions = {}): Template {
  return new Template(text, options);
}

/**
 * Parses and runs a template once.
 *
 * @param text The template.
 * @param data What `.` stands for.
 * @param options Functions and the names of map and list fields.
 * @returns The text.
 * @throws {TemplateError} When it does not parse or an action fails.
 *
 * @example
 * ```ts
 * import { renderTemplate } from "./template.ts";
 * console.assert(renderTemplate("{{.State.Pid}} {{json .Config.Cmd}}", {
 *   State: { Pid: 7 },
 *   Config: { Cmd: ["sh", "-c"] },
 * }) === '7 ["sh","-c"]');
 * ```
 */
export function renderTemplate(text: string, data: unknown, options: TemplateOptions = {}): string {
  return new Template(text, options).execute(data);
}
