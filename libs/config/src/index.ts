export { loadConfig, CONFIG_VARIABLES, DEFAULT_KEYS_FILE, type BackboneConfig } from './backbone-config';
export { openJourneyLog, openReadStore } from './open-adapters';
