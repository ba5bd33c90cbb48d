import OpenAI, { AzureOpenAI } from "openai";
import type { Connection, EmbeddingsClient } from "./settings.js";

/**
 * The SDK client for a resolved connection. SDK retries are off (maxRetries 0): our own loop retries,
 * so Retry-After and the abort signal are handled the same way for every SDK version and caller client.
 */
export function createClient(connection: Connection, timeoutMs: number): EmbeddingsClient {
  if (connection.kind === "client") return connection.client;
  const common = {
    timeout: timeoutMs,
    maxRetries: 0,
    defaultHeaders: connection.headers,
    ...(connection.organization ? { organization: connection.organization } : {}),
    ...(connection.project ? { project: connection.project } : {}),
  };
  if (connection.kind === "openai") {
    return new OpenAI({
      ...common,
      apiKey: connection.apiKey,
      baseURL: connection.baseURL,
    }) as unknown as EmbeddingsClient;
  }
  return new AzureOpenAI({
    ...common,
    apiVersion: connection.apiVersion,
    // An explicit null keeps the SDK from reading OPENAI_BASE_URL when an endpoint is given.
    ...(connection.endpoint
      ? { endpoint: connection.endpoint, baseURL: null }
      : { baseURL: connection.baseURL! }),
    ...(connection.deployment ? { deployment: connection.deployment } : {}),
    ...(connection.apiKey ? { apiKey: connection.apiKey } : {}),
    ...(connection.azureADTokenProvider ? { azureADTokenProvider: connection.azureADTokenProvider } : {}),
  } as ConstructorParameters<typeof AzureOpenAI>[0]) as unknown as EmbeddingsClient;
}
