export { rejectsWith, sleep } from "./assertions.js";
export { embeddingSuite } from "./embedding.js";
export { type EmbeddingFixture, fixtureDir, loadEmbeddingFixture } from "./fixture.js";
export { HOSTILE_IDS_INVALID, HOSTILE_IDS_VALID, HOSTILE_METADATA_KEYS, HOSTILE_TEXT } from "./hostile.js";
export { describeTarget, MatrixRecorder } from "./matrix.js";
export { resolveService, type ServiceSpec } from "./provision.js";
export { sessionStoreSuite } from "./session/suite.js";
export type * from "./types.js";
export { vectorStoreSuite } from "./vector/suite.js";
