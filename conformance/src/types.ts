import type { EmbeddingProvider, SessionStore, VectorMetric, VectorStore } from "@langswarm/memory-core";

type TestFn = () => unknown | Promise<unknown>;

/**
 * The few test-runner functions the suites need. Pass vitest's (or jest's, or node:test's); the suites
 * never import a runner themselves and assert with node:assert, so they run under any config.
 */
export interface TestApi {
  describe: (name: string, fn: () => void) => void;
  it: ((name: string, fn: TestFn, timeout?: number) => void) & { skip?: (name: string, fn: TestFn) => void };
  beforeAll: (fn: TestFn, timeout?: number) => void;
  afterAll: (fn: TestFn, timeout?: number) => void;
}

/** Where the store under test runs; printed in the matrix line. */
export type ServiceTarget =
  | { kind: "embedded"; url?: string; detail?: string }
  | { kind: "env"; url: string; variable: string }
  | { kind: "container"; url: string; image: string; stop: () => Promise<void> }
  | { kind: "skip"; reason: string; url?: undefined };

interface InitializerBase<S> {
  /** Adapter label in the matrix, e.g. "session-postgres". */
  name: string;
  target: ServiceTarget;
  /** Once before the suite (connect, create a database...). */
  setup?: () => Promise<void>;
  /** Drop the isolated data of one store (schema, key prefix, index). The suite closes the store after. */
  destroy?: (store: S) => Promise<void>;
  /** Once after the suite. */
  teardown?: () => Promise<void>;
  /** Do not print or record the matrix line (for the suite's own self-tests). */
  quiet?: boolean;
  /** Milliseconds; default 120 s for setup, 60 s per test. */
  timeouts?: { setup?: number; test?: number };
}

export interface SessionStoreInitializer extends InitializerBase<SessionStore> {
  /** A fresh, isolated, empty store (own database/schema/prefix). The suite calls `setup()` on it. */
  create: () => Promise<SessionStore>;
  /**
   * A second store over the same data as `store` (another connection / client), used to prove that
   * listing and appends work across processes. Omit for single-process stores.
   */
  reopen?: (store: SessionStore) => Promise<SessionStore>;
  /** Runs of the model-based property test (default 25). */
  modelRuns?: number;
  /** Fixed fast-check seed (default random; a failure prints its seed to replay). */
  modelSeed?: number;
}

export interface VectorStoreSpec {
  dimension: number;
  metric: VectorMetric;
}

export interface VectorStoreInitializer extends InitializerBase<VectorStore> {
  /** A fresh, isolated, empty index with this dimension and metric. The suite calls `setup()`. */
  create: (spec: VectorStoreSpec) => Promise<VectorStore>;
  /** Open the same index as `store` with another spec (to prove setup() refuses a mismatch). */
  reopen?: (store: VectorStore, spec: VectorStoreSpec) => Promise<VectorStore>;
  /** recall@10 the store must reach on the real-embedding fixture (default 0.95, exact stores 1). */
  minRecall?: number;
}

export interface EmbeddingProviderInitializer extends InitializerBase<EmbeddingProvider> {
  create: () => Promise<EmbeddingProvider>;
  /** The provider returns the same vector for the same text (true for local models and hash). */
  deterministic?: boolean;
}
