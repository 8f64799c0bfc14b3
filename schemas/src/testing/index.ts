export { journeyEvent, orderPlacedData, type EventOptions } from './journey-event-factory';
