// Side-effect entry: `import "@langswarm/session-sqlite/register"` registers the "sqlite" backend.
import { registry } from "@langswarm/memory-core";
import { sqliteSessionDescriptor } from "./descriptor.js";

registry.register(sqliteSessionDescriptor);
