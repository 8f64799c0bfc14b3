export * from './common';
export * from './envelope';
export * from './catalog';
export * from './journey-event';
export * from './validation';
export * from './extension-attributes';
export {
  MAX_JSON_DEPTH,
  invisibleCharacter,
  jsonProblems,
  storableText,
  unstorableText,
  type JsonProblem,
} from './json-safety';
export * from './json-schemas';
export { DELAY_REASON_CODES } from './events/shipment.events';
export * from './views/journey-view';
export { canonicalJson, eventKey, sameEvent } from './event-identity';
export {
  ClaimLedger,
  SEALED_PREFIX,
  claimKeys,
  claimsOf,
  identityKey,
  identityLookupKey,
  isSealed,
  permanentClaim,
  sealedLookupHash,
  useIdentityLookupHash,
  type FactClaim,
} from './fact-claims';
export * from './personal-data';
export { PERSONAL_TEXT_FIELDS } from './personal-text-fields';
export * from './webhooks';
