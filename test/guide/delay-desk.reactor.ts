import { defineReactor } from '#projection-runtime';

/** A partner's ticket system, as the reactor sees it (its client is given to the reactor). */
export interface TicketSystem {
  open(ticket: { idempotencyKey: string; orderId: string; summary: string }): Promise<void>;
}

export const delayDeskReactor = (tickets: TicketSystem) =>
  defineReactor({
    name: 'delay-desk',
    canHandle: ['shipment.delayed'],
    maxAttempts: 8,
    retryDelayMs: 500,
    async handle(event, context) {
      if (event.data.reasonCode !== 'address_issue') return;
      await tickets.open({
        idempotencyKey: context.idempotencyKey,
        orderId: event.data.orderId,
        summary: `Delivery address to check: new ETA ${event.data.newEta}`,
      });
    },
  });
