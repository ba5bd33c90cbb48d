/** `import "@langswarm/session-redis/register"`: register backend "redis" and nothing else. */
import "./index.js";
