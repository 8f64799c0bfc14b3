import type { ReactionContext } from '#projection-runtime';
import { journeyEvent } from '#testing';
import { delayDeskReactor, type TicketSystem } from './delay-desk.reactor';

const delay = (reasonCode: string) =>
  journeyEvent(
    'shipment.delayed',
    { orderId: 'ord-7', shipmentId: 'shp-7', newEta: '2026-12-09T12:00:00Z', reason: 'carrier note', reasonCode },
    { subject: 'cust-7', schemaversion: 2 },
  ) as Parameters<ReturnType<typeof delayDeskReactor>['handle']>[0];

const context = { idempotencyKey: 'key-1', attempt: 1 } as ReactionContext;

describe('a reactor (the guide example of step 7)', () => {
  it('given an address issue, when handled, then one ticket is opened with the event key', async () => {
    const opened: unknown[] = [];
    const tickets: TicketSystem = { open: async (ticket) => void opened.push(ticket) };
    await delayDeskReactor(tickets).handle(delay('address_issue'), context);
    expect(opened).toEqual([
      { idempotencyKey: 'key-1', orderId: 'ord-7', summary: 'Delivery address to check: new ETA 2026-12-09T12:00:00Z' },
    ]);
  });

  it('given another delay, when handled, then nothing is opened', async () => {
    const opened: unknown[] = [];
    await delayDeskReactor({ open: async (t) => void opened.push(t) }).handle(delay('weather'), context);
    expect(opened).toEqual([]);
  });

  it('given the ticket system down, when handled, then it throws: the runner tries again, then parks it', async () => {
    const down: TicketSystem = { open: async () => Promise.reject(new Error('503 from the ticket system')) };
    await expect(delayDeskReactor(down).handle(delay('address_issue'), context)).rejects.toThrow('503');
  });
});
