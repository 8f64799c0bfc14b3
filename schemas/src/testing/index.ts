export { journeyEvent, type EventOptions } from './journey-event-factory';
