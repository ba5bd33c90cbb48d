/** `import "@langswarm/vector-redis/register"`: register `store_type: "redis"` and nothing else. */
import "./index.js";
