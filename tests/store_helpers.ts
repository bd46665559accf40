// One test's nook store (NOOK_ROOT) and the CLI in it, shared by the container
// and network test files; each file extends it with what it checks.
import assert from "node:assert/strict";
import { nook, type NookOptions, type NookResult } from "./helpers.ts";

/** 64 hex digits: a container id. */
export const HEX64 = /^[0-9a-f]{64}$/;

/** A fresh NOOK_ROOT under `root`, and the CLI run in it. */
export class TestStore {
  /** The store directory (NOOK_ROOT). */
  readonly dir: string;
  /** The environment every nook call gets. */
  readonly env: Record<string, string>;

  /**
   * @param root The test file's temp directory.
   * @param name This test's store name (a new directory).
   * @param env More environment for every call.
   */
  constructor(root: string, name: string, env: Record<string, string> = {}) {
    this.dir = `${root}/${name}`;
    Deno.mkdirSync(this.dir);
    this.env = { NOOK_ROOT: this.dir, ...env };
  }

  /** Runs nook in this store. */
  run(args: string[], options: NookOptions = {}): Promise<NookResult> {
    return nook(args, { ...options, env: { ...this.env, ...options.env } });
  }

  /** Runs nook in this store, asserts exit code 0, returns stdout. */
  async ok(args: string[], options: NookOptions = {}): Promise<string> {
    const r = await this.run(args, options);
    assert.equal(r.code, 0, `nook ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** `run -d ARGS`: the new container's id. */
  async detach(args: string[]): Promise<string> {
    const out = await this.ok(["run", "-d", ...args]);
    const id = out.trim();
    assert.match(id, HEX64, `run -d prints the id: ${JSON.stringify(out)}`);
    return id;
  }

  /** Removes every container of the store (rm -f). */
  async cleanup(): Promise<void> {
    const ids = await this.run(["ps", "-aq", "--no-trunc"]).then((r) => r.stdout.split("\n"))
      .catch(() => []);
    const mine = ids.filter((id) => HEX64.test(id));
    if (mine.length) await this.run(["rm", "-f", ...mine], { timeoutMs: 120_000 }).catch(() => {});
  }
}

/**
 * Runs `fn` with a fresh store and removes what it started, whatever happens.
 *
 * @param store The store.
 * @param fn The test's body.
 */
export async function withTestStore<S extends TestStore>(
  store: S,
  fn: (s: S) => Promise<void>,
): Promise<void> {
  try {
    await fn(store);
  } finally {
    await store.cleanup();
  }
}
