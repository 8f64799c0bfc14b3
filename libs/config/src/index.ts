export { loadConfig, CONFIG_VARIABLES, authKeysFile, type BackboneConfig } from './backbone-config';
export { openJourneyLog, openLogAdapter, openLogAndStore, openPersonalData, openReadStore } from './open-adapters';
