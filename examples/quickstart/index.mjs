// Quickstart: agent memory with no server and no API key.
// Sessions and vectors live in one SQLite file; embeddings come from the offline "hash" provider
// (lexical, not semantic). For real semantic recall change one setting:
//   embedding: { provider: "openai", api_key: process.env.OPENAI_API_KEY }   (and import "@langswarm/embed-openai")
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createMemoryManager } from "@langswarm/memory-core";
import "@langswarm/session-sqlite"; // registers backend "sqlite"
import "@langswarm/vector-sqlite"; // registers vector store "sqlite"

export async function runQuickstart({
  log = console.log,
  dir = mkdtempSync(path.join(tmpdir(), "langswarm-quickstart-")),
} = {}) {
  const file = path.join(dir, "memory.db");
  const memory = await createMemoryManager({
    backend: "sqlite",
    settings: {
      path: file,
      embedding: { provider: "hash" },
      vector_store: { store_type: "sqlite", connection_params: { path: file } },
    },
  });
  try {
    // Monday: the user plans a trip.
    const monday = await memory.createSession({
      userId: "ana",
      agentId: "travel-agent",
      metadata: { channel: "web" },
    });
    await memory.addMessages(monday.sessionId, [
      {
        role: "user",
        content: "I'm planning a trip to Lisbon in May. I'm vegetarian and allergic to peanuts.",
      },
      {
        role: "assistant",
        content: "Noted! Lisbon in May is lovely. I'll keep your vegetarian diet and peanut allergy in mind.",
      },
      { role: "user", content: "I'd also like a hotel with a view of the river Tagus." },
      { role: "assistant", content: "I'll look for hotels in Alfama with a view of the Tagus river." },
    ]);

    // Friday: a new session. The agent has not seen Monday's turns in this conversation.
    const friday = await memory.createSession({ userId: "ana", agentId: "travel-agent" });
    await memory.addMessages(friday.sessionId, [
      { role: "user", content: "Hi again!" },
      { role: "assistant", content: "Welcome back, Ana. How can I help?" },
      { role: "user", content: "Can you recommend a restaurant in Lisbon for dinner? Remember my diet." },
    ]);
    await memory.flush(); // wait for background indexing (it never blocks appends)

    const recalled = await memory.recall("restaurant in Lisbon that fits my diet", {
      userId: "ana",
      topK: 3,
      minScore: 0.05, // drop memories that share nothing with the query
      filter: { sessionId: { $ne: friday.sessionId } }, // only earlier sessions (the filter DSL at work)
    });
    log("Recalled from earlier sessions:");
    for (const r of recalled)
      log(
        `  ${r.score.toFixed(3)}  [${r.sessionId === monday.sessionId ? "monday" : "friday"} #${r.seq}] ${r.content}`,
      );

    const context = await memory.buildContext(friday.sessionId, {
      system: "You are a helpful travel agent.",
      maxTokens: 400,
    });
    log(`\nContext for the model (${context.tokens} of 400 tokens):`);
    for (const m of context.messages)
      log(`  ${m.role.padEnd(9)} ${m.content.replace(/\n/g, "\n            ")}`);

    const sessions = await memory.listSessions({ userId: "ana" });
    log(`\nAna has ${sessions.items.length} sessions stored in ${file}`);
    return { recalled, context, sessions: sessions.items, mondayId: monday.sessionId };
  } finally {
    await memory.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = mkdtempSync(path.join(tmpdir(), "langswarm-quickstart-"));
  try {
    await runQuickstart({ dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
