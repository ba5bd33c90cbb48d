/**
 * Key layout. One index lives under the namespace `<key_prefix>{<index_name>}`:
 *
 *   <ns>:meta        HASH   layout version, engine, dimension, metric and the engine's build options
 *   <ns>:vset        Vector Set (engine "vectorset"): element = record id, attributes = JSON
 *   <ns>:d:<id>      HASH   one record (engine "redisearch"): vec, md, doc, t_<field>, n_<field>
 *   <ns>:idx         the RediSearch index name (FT.CREATE ... PREFIX 1 <ns>:d:)
 *
 * The key prefix cannot contain `{` or `}` and the index name neither, so the first `{` and `}` of a
 * key fix both: no other store's keys can start with this namespace (no prefix of one store is a
 * prefix of another's), and a RediSearch index can never pick up another store's hashes. The braces
 * are also a Redis Cluster hash tag: all keys of one Vector Set index share a slot.
 * Record ids are used verbatim (binary-safe) after the prefix and never parsed as patterns.
 */
export interface Keys {
  namespace: string;
  meta: string;
  vset: string;
  docPrefix: string;
  ftIndex: string;
}

export function keysFor(keyPrefix: string, indexName: string): Keys {
  const namespace = `${keyPrefix}{${indexName}}`;
  return {
    namespace,
    meta: `${namespace}:meta`,
    vset: `${namespace}:vset`,
    docPrefix: `${namespace}:d:`,
    ftIndex: `${namespace}:idx`,
  };
}
