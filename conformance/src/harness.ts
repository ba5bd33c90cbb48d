import { MatrixRecorder } from "./matrix.js";
import type { TestApi } from "./types.js";

interface Lifecycle<S, A> {
  suite: string;
  init: {
    name: string;
    target: import("./types.js").ServiceTarget;
    setup?: () => Promise<void>;
    teardown?: () => Promise<void>;
    destroy?: (store: S) => Promise<void>;
    timeouts?: { setup?: number; test?: number };
    quiet?: boolean;
  };
  api: TestApi;
  /** Make a fresh store for one test. */
  make: (arg: A) => Promise<S>;
  close: (store: S) => Promise<void>;
}

export type StoreTest<S, A> = (
  name: string,
  fn: (store: S, ctx: TestContext<S, A>) => Promise<void>,
  options?: { arg?: A; timeout?: number },
) => void;

export interface TestContext<S, A> {
  /** Another fresh store in the same test (destroyed with the test). */
  fresh: (arg: A) => Promise<S>;
  /** Destroy and close a store made by `fresh` now rather than at the end of the test. */
  discard: (store: S) => Promise<void>;
  /** Register extra cleanup for the test. */
  defer: (fn: () => Promise<void>) => void;
  recorder: MatrixRecorder;
}

/**
 * Wraps a runner's describe/it so that every test gets its own fresh store (destroyed afterwards),
 * passes/failures are counted for the matrix line, and a skipped target registers visible skips.
 */
export function defineSuite<S, A>(
  life: Lifecycle<S, A>,
  defaultArg: A,
  body: (test: StoreTest<S, A>, recorder: MatrixRecorder) => void,
): void {
  const { api, init } = life;
  const recorder = new MatrixRecorder(life.suite, init.name, init.target);
  if (init.quiet) recorder.print = () => {};
  api.describe(`${life.suite}: ${init.name}`, () => {
    if (init.target.kind === "skip") {
      const reason = init.target.reason;
      // Printed while registering: runners skip beforeAll when every test is skipped.
      recorder.print();
      // Visible in the runner's output as skipped, with the reason in the test name.
      if (api.it.skip) api.it.skip(`skipped: ${reason}`, () => {});
      return;
    }
    api.beforeAll(async () => {
      await init.setup?.();
    }, init.timeouts?.setup ?? 120_000);
    api.afterAll(async () => {
      recorder.print();
      await init.teardown?.();
      if (init.target.kind === "container") await init.target.stop();
    }, init.timeouts?.setup ?? 120_000);

    const test: StoreTest<S, A> = (name, fn, options = {}) => {
      api.it(
        name,
        async () => {
          const stores: S[] = [];
          const deferred: (() => Promise<void>)[] = [];
          const fresh = async (arg: A) => {
            const store = await life.make(arg);
            stores.push(store);
            return store;
          };
          const dispose = async (store: S) => {
            await init
              .destroy?.(store)
              .catch((e) => console.warn(`[conformance] destroy failed: ${(e as Error).message}`));
            await life.close(store).catch(() => {});
          };
          const discard = async (store: S) => {
            const i = stores.indexOf(store);
            if (i >= 0) stores.splice(i, 1);
            await dispose(store);
          };
          try {
            const store = await fresh(options.arg ?? defaultArg);
            await fn(store, { fresh, discard, defer: (f) => void deferred.push(f), recorder });
            recorder.passed++;
          } catch (error) {
            recorder.failed++;
            throw error;
          } finally {
            for (const f of deferred.reverse()) await f().catch(() => {});
            for (const store of stores.reverse()) await dispose(store);
          }
        },
        options.timeout ?? init.timeouts?.test ?? 60_000,
      );
    };
    body(test, recorder);
  });
}
