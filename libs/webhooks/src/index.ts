export { eventPayload, viewPayload, type WebhookPayload } from './webhook-payload';
export { webhookReactor, webhookReactorName } from './webhook-reactor';
export { WebhookSubscriptions, subscriptionInput, type FileSubscription } from './webhook-subscriptions';
export { readWebhooksFile } from './webhooks-file';
export { WebhookDispatcher, type WebhookDispatcherOptions } from './webhook-dispatcher';
