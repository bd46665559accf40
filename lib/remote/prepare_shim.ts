/**
 * Imported for its effect by mod.ts: when nook's modules come from a URL
 * (`jsr:@nook/nook` is served from https://jsr.io), the shim library and the
 * container monitor are fetched from beside them into the per-user cache,
 * once, before any API call loads them (`Deno.dlopen` and spawning need
 * local files). Loaded from files, it does nothing.
 *
 * @module
 */
import { prepareShim } from "../../shim/binding.ts";
import { sys } from "../sys/sys.ts";

await prepareShim(sys);
