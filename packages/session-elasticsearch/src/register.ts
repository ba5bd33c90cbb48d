/** `import "@langswarm/session-elasticsearch/register"`: register backend "elasticsearch" and nothing else. */
import "./index.js";
