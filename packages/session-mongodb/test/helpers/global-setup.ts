import type { TestProject } from "vitest/node";
import { FerretServer, findFerretdbBinary } from "./ferretdb.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** MongoDB-wire URL for the tests, or "" when none is available. */
    mongoUrl: string;
    /** Where the URL came from, or why there is none (printed by the skipping tests). */
    mongoTarget: string;
  }
}

/**
 * One server for all test files: LANGSWARM_TEST_MONGODB_URL when set (CI: scripts/services/start.sh),
 * else a private FerretDB started here when its binary is available, else the suites skip.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = process.env.LANGSWARM_TEST_MONGODB_URL;
  if (fromEnv) {
    project.provide("mongoUrl", fromEnv);
    project.provide("mongoTarget", "LANGSWARM_TEST_MONGODB_URL");
    return async () => {};
  }
  const found = findFerretdbBinary();
  if (!found.bin) {
    project.provide("mongoUrl", "");
    project.provide("mongoTarget", `skipped: LANGSWARM_TEST_MONGODB_URL is not set and ${found.reason}`);
    return async () => {};
  }
  const server = await FerretServer.start(found.bin);
  project.provide("mongoUrl", server.url);
  project.provide("mongoTarget", `private FerretDB on port ${server.port} (${found.bin})`);
  return () => server.stop();
}
