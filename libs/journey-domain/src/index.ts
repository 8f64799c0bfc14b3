export {
  ORDER_STATUSES,
  STATUS_CODES,
  describeStatus,
  nextStatus,
  statusSuggestedBy,
  type StatusCode,
  type StatusState,
} from './order-status';
export { checkTotals, type RuleViolation } from './totals';
export { settleOrder, UNSETTLED, type OrderSettlement } from './order-settlement';
export {
  governingPolicy,
  policyVersionPublishedBy,
  publishedPolicyVersion,
  type OrderPlacement,
  type PolicyVersion,
} from './policy';
export { returnEligibility, type EligibilityInput, type ReturnEligibility } from './return-eligibility';
export { promiseState, type PromiseState } from './promise-state';
export { nextStep, helpPath, recoveryPath, type CardInput } from './context-card';
export {
  frameMessage,
  orderStatusText,
  renderMessages,
  templateTexts,
  TEMPLATE_IDS,
  type TemplateId,
} from './channel-templates';
export { formatMoney, formatDay, addDays } from './formatting';
export {
  checkIngestionRules,
  cloneFacts,
  emptyFacts,
  evolveFacts,
  needsJourneyFacts,
  type JourneyFacts,
  type OrderFacts,
} from './ingestion-rules';
export {
  customerNotification,
  NOTIFIED_TYPES,
  type CustomerNotification,
  type NotifiedEvent,
} from './customer-notification';
