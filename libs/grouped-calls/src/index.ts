export { GroupedCalls, type GroupedCallsOptions } from './grouped-calls';
