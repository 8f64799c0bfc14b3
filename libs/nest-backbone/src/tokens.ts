/** Injection tokens of the backbone's ports and settings. */
export const BACKBONE_CONFIG = Symbol('BACKBONE_CONFIG');
export const JOURNEY_LOG = Symbol('JOURNEY_LOG');
export const READ_STORE = Symbol('READ_STORE');
export const PRODUCER_OWNER = Symbol('PRODUCER_OWNER');
export const LOGGER = Symbol('LOGGER');
/** The projections this backbone runs (the registry), for `/health` and `/metrics`: given by the app. */
export const PROJECTION_REGISTRY = Symbol('PROJECTION_REGISTRY');
/** The process's personal-data keys (see `PersonalData`). */
export const PERSONAL_DATA = Symbol('PERSONAL_DATA');

/** The process's tracing (`#tracing`), shut down (its spans sent) with the app. */
export const TRACING = Symbol('TRACING');
