/**
 * User namespaces: plan the id maps, read your ranges, write the maps.
 *
 * @module
 */
export * from "./id_map.ts";
export * from "./apply_id_map.ts";
export * from "./own_ranges.ts";
export * from "./choose_id_maps.ts";
