/**
 * Go's text/template with docker's functions, for every `--format`:
 * {@linkcode parseTemplate}, {@linkcode renderTemplate}, {@linkcode TemplateError},
 * and docker's tabwriter ({@linkcode tabWriter}).
 *
 * @example
 * ```ts
 * import { renderTemplate } from "./mod.ts";
 * console.assert(renderTemplate("{{.Repository}}:{{.Tag}}", { Repository: "a", Tag: "1" }) === "a:1");
 * ```
 *
 * @module
 */
export * from "./template.ts";
export * from "./template_error.ts";
export * from "./tab_writer.ts";
