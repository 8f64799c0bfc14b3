export { syntheticEvents, type SyntheticOptions } from './synthetic-journeys';
export { seededRandom } from './seeded-random';
export { appendInBatches } from './append-in-batches';
export {
  simulatedJourneys,
  emptyCounts,
  DEFAULT_DEFECT_RATES,
  type DefectRates,
  type SimulationCounts,
  type SimulationOptions,
} from './simulated-journeys';
