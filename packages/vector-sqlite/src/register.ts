// Side-effect entry: `import "@langswarm/vector-sqlite/register"` registers vector store "sqlite".
import { registry } from "@langswarm/memory-core";
import { sqliteVectorDescriptor } from "./descriptor.js";

registry.register(sqliteVectorDescriptor);
