export { syntheticEvents, type SyntheticOptions } from './synthetic-journeys';
export { seededRandom } from './seeded-random';
export { appendInBatches } from './append-in-batches';
