/**
 * The name the user-namespace anchor (`nook-monitor --anchor`) gives itself,
 * its /proc/PID/comm (`MON_ANCHOR_NAME` of shim/monitor/monitor_protocol.h;
 * tests/monitor_protocol_test.ts checks they agree). A module of its own so
 * that a run, which checks it before joining, loads no more of the protocol.
 *
 * @example
 * ```ts
 * import { ANCHOR_NAME } from "./anchor_name.ts";
 * console.assert(ANCHOR_NAME.length <= 15); // what PR_SET_NAME keeps
 * ```
 *
 * @module
 */

/** The anchor's /proc/PID/comm. */
export const ANCHOR_NAME = "nook-userns";
