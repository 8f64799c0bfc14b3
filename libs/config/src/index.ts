export { loadConfig, CONFIG_VARIABLES, authKeysFile, type BackboneConfig } from './backbone-config';
export { openJourneyLog, openReadStore } from './open-adapters';
