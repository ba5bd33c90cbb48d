import { describe, expect, it } from "vitest";
import { descriptor, OLLAMA_BASE_URL } from "../src/index.js";

describe('provider "ollama"', () => {
  it("defaults base_url to the local Ollama endpoint, and keeps an explicit one", async () => {
    // An unknown model is probed at create: the probe's failure message shows which server was asked.
    const probe = (settings: Record<string, unknown>, requestedName: string) =>
      Promise.resolve(
        descriptor.create(
          { model: "nomic-embed-text", timeout_ms: 500, max_retries: 0, ...settings },
          { requestedName },
        ),
      ).then(
        () => "created",
        (e: Error) => e.message,
      );
    expect(OLLAMA_BASE_URL).toBe("http://localhost:11434/v1");
    const viaAlias = await probe({}, "ollama");
    expect(viaAlias).toMatch(/localhost:11434 could not be reached/); // asked Ollama, needed no API key
    const explicit = await probe({ base_url: "http://127.0.0.1:9/v1" }, "ollama");
    expect(explicit).toMatch(/127\.0\.0\.1:9 could not be reached/);
    const openai = await probe({ api_key: "sk-test", base_url: "http://127.0.0.1:9/v1" }, "openai");
    expect(openai).not.toMatch(/11434/);
  });
});
