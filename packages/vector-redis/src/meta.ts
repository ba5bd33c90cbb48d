import { ConfigError, DimensionMismatchError } from "@langswarm/memory-core";
import { entries, type RedisClient, runScript, text } from "./client.js";
import { BACKEND } from "./errors.js";
import { scriptOf } from "./scripts.js";

/**
 * Version of the key layout this package writes. setup() records it in `<ns>:meta`; a newer one is
 * refused (a downgrade could misread the data). Layout 1 is the first; a change of layout adds a
 * migration step keyed by the version it upgrades from.
 */
export const LAYOUT_VERSION = 1;

/**
 * Write the meta record if there is none, and return what is there, in one atomic step: when two
 * processes set up the same index at once, both read the record of whichever came first.
 * KEYS[1] = meta; ARGV = field, value, ...
 */
const CLAIM_META = scriptOf(`
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('HSET', KEYS[1], unpack(ARGV)) end
return redis.call('HGETALL', KEYS[1])
`);

export async function claimMeta(
  client: RedisClient,
  key: string,
  fields: Record<string, string>,
): Promise<Record<string, string>> {
  const reply = await runScript(client, CLAIM_META, [key], Object.entries(fields).flat());
  return Object.fromEntries(entries(reply).map(([k, v]) => [k, text(v)]));
}

export async function readMeta(client: RedisClient, key: string): Promise<Record<string, string>> {
  const reply = await client.call("HGETALL", key);
  return Object.fromEntries(entries(reply).map(([k, v]) => [k, text(v)]));
}

/** The checks common to both engines: layout, engine, dimension, metric. */
export function checkCommonMeta(
  existing: Record<string, string>,
  wanted: { engine: string; dimension: number; metric: string; namespace: string },
): void {
  const layout = Number(existing.layout);
  if (!Number.isSafeInteger(layout) || layout < 1) {
    throw new ConfigError(
      `the meta record of "${wanted.namespace}" is not one this package wrote (layout ${JSON.stringify(existing.layout)})`,
      {
        backend: BACKEND,
      },
    );
  }
  if (layout > LAYOUT_VERSION) {
    throw new ConfigError(
      `the index "${wanted.namespace}" was written by a newer @langswarm/vector-redis (layout ${layout}, this version reads ${LAYOUT_VERSION}); upgrade the package`,
      { backend: BACKEND },
    );
  }
  if (existing.engine !== wanted.engine) {
    throw new ConfigError(
      `engine: the index "${wanted.namespace}" was created with engine "${existing.engine}", the settings say "${wanted.engine}"`,
      { backend: BACKEND, key: "engine" },
    );
  }
  const dimension = Number(existing.dimension);
  if (dimension !== wanted.dimension) {
    throw new DimensionMismatchError(dimension, wanted.dimension, {
      backend: BACKEND,
      what: `the configured dimension for index "${wanted.namespace}"`,
    });
  }
  if (existing.metric !== wanted.metric) {
    throw new ConfigError(
      `metric: the index "${wanted.namespace}" was created with metric "${existing.metric}", the settings say "${wanted.metric}"`,
      { backend: BACKEND, key: "metric" },
    );
  }
}
