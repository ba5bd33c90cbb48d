import { ConfigError } from "@langswarm/memory-core";
import { ElasticBackend, type Flavor, OpenSearchBackend, type SearchBackend } from "./backend.js";
import { mapError } from "./errors.js";
import { BACKEND, DEFAULT_NODE, type ElasticsearchSessionStoreOptions } from "./settings.js";

type ClientModule = { Client: new (options: Record<string, unknown>) => any };

async function load(flavor: Flavor): Promise<ClientModule> {
  const pkg = flavor === "opensearch" ? "@opensearch-project/opensearch" : "@elastic/elasticsearch";
  try {
    return (await import(pkg)) as ClientModule;
  } catch (error) {
    throw new ConfigError(`flavor "${flavor}" needs the package ${pkg}: npm install ${pkg}`, {
      backend: BACKEND,
      key: "flavor",
      cause: error,
    });
  }
}

function clientOptions(flavor: Flavor, o: ElasticsearchSessionStoreOptions): Record<string, unknown> {
  const options: Record<string, unknown> = {
    node: o.node ?? DEFAULT_NODE,
    requestTimeout: o.requestTimeoutMs ?? 30_000,
    maxRetries: 2,
  };
  if (o.apiKey !== undefined) options.auth = { apiKey: o.apiKey };
  else if (o.username !== undefined) options.auth = { username: o.username, password: o.password };
  const tls: Record<string, unknown> = {};
  if (o.ca !== undefined) tls.ca = o.ca;
  if (o.rejectUnauthorized !== undefined) tls.rejectUnauthorized = o.rejectUnauthorized;
  if (Object.keys(tls).length > 0) options[flavor === "opensearch" ? "ssl" : "tls"] = tls;
  return options;
}

/** A caller's client: the Elastic 8/9 client has `diagnostic`; the OpenSearch client does not. */
export function detectClientFlavor(client: unknown): Flavor {
  return typeof client === "object" && client !== null && "diagnostic" in client
    ? "elasticsearch"
    : "opensearch";
}

/**
 * Build the backend. Without `flavor`, ask the server (GET /, `version.distribution`) through the
 * OpenSearch client, which talks to both; the Elastic client refuses servers that are not Elasticsearch.
 */
export async function connect(o: ElasticsearchSessionStoreOptions): Promise<SearchBackend> {
  if (o.client !== undefined) {
    const flavor = o.flavor ?? detectClientFlavor(o.client);
    return flavor === "opensearch"
      ? new OpenSearchBackend(o.client as any, false)
      : new ElasticBackend(o.client as any, false);
  }
  let flavor = o.flavor;
  if (flavor === undefined) {
    let probe: OpenSearchBackend | undefined;
    try {
      const { Client } = await load("opensearch");
      probe = new OpenSearchBackend(new Client(clientOptions("opensearch", o)), true);
    } catch {
      flavor = "elasticsearch"; // only the Elastic client is installed: it is the one to use
    }
    if (probe) {
      try {
        const info = await probe.info();
        flavor = info.distribution === "opensearch" ? "opensearch" : "elasticsearch";
      } catch (error) {
        await probe.close().catch(() => {});
        throw mapError(error, "detecting the server flavor (set `flavor` to skip)");
      }
      if (flavor === "opensearch") return probe;
      await probe.close();
    }
  }
  const { Client } = await load(flavor!);
  const client = new Client(clientOptions(flavor!, o));
  return flavor === "opensearch" ? new OpenSearchBackend(client, true) : new ElasticBackend(client, true);
}
