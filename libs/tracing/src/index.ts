export { startTracing, tracingEnabled, type Tracing } from './tracing-setup';
export { eventSpanContext, traceparentOf } from './event-trace-context';
export { traceAppend, traceCommit, traceReactorDelivery, traceSsePush } from './backbone-spans';
export { traceHttpRequest } from './http-request-span';
