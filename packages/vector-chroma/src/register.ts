import { registry } from "@langswarm/memory-core";
import { descriptor } from "./descriptor.js";

registry.register(descriptor);

export { descriptor };
