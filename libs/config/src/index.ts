export { loadConfig, CONFIG_VARIABLES, type BackboneConfig } from './backbone-config';
export { openJourneyLog, openReadStore } from './open-adapters';
