import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

/** Side effect: `import "@langswarm/session-mongodb/register"` makes `backend: "mongodb"` resolvable. */
registry.register(descriptor);

export { descriptor };
