/** `import "@langswarm/vector-pinecone/register"`: register `store_type: "qdrant"` and nothing else. */
import "./index.js";
