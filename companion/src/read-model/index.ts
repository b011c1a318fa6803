/** The read model: one book behind the WebSocket snapshot, positions-updated and HTTP /positions. */
export { accountFreshness, type FreshnessInput, PROBLEM, problemInWords } from './freshness.ts';
export { type BookParts, ReadModel, type ReadModelDeps } from './read-model.ts';
