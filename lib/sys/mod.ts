/**
 * Runtime services (files, environment, processes, signals, terminal) behind
 * one interface, so the rest of nook runs on Deno, Node and Bun alike.
 *
 * @module
 */
export * from "./sys.ts";
export * from "./trace.ts";
