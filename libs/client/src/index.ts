export {
  JourneyClient,
  type JourneyClientOptions,
  type JourneyEventInput,
  type Read,
  type ReadOptions,
  type Watch,
} from './journey-client';
export { JourneyApiError, JourneyUnreachableError } from './journey-api-error';
export { readServerSentEvents, type ServerSentEvent } from './server-sent-events';
