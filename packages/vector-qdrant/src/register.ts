/** `import "@langswarm/vector-qdrant/register"`: register `store_type: "qdrant"` and nothing else. */
import "./index.js";
