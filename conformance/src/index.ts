export { sessionStoreSuite } from "./session/suite.js";
export { vectorStoreSuite } from "./vector/suite.js";
export { embeddingSuite } from "./embedding.js";
export { resolveService, type ServiceSpec } from "./provision.js";
export { MatrixRecorder, describeTarget } from "./matrix.js";
export { loadEmbeddingFixture, fixtureDir, type EmbeddingFixture } from "./fixture.js";
export { rejectsWith, sleep } from "./assertions.js";
export { HOSTILE_IDS_INVALID, HOSTILE_IDS_VALID, HOSTILE_METADATA_KEYS, HOSTILE_TEXT } from "./hostile.js";
export type * from "./types.js";
