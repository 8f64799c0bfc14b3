import 'reflect-metadata';
import type { ReactionContext } from '#projection-runtime';
import type { JourneyEvent, JourneyEventOf } from '#schemas';
import { journeyEvent } from '#testing';
import { decoratedReactors, OnJourneyEvent } from './on-journey-event';

class DelayDesk {
  readonly seen: string[] = [];

  @OnJourneyEvent('shipment.delayed', { startFrom: 'beginning' })
  async onDelayed(event: JourneyEventOf<'shipment.delayed'>, context: ReactionContext): Promise<void> {
    // Typed from the catalog: the field the v2 schema adds.
    this.seen.push(`desk:${event.data.reasonCode}:${context.attempt}`);
  }

  @OnJourneyEvent(['refund.issued', 'shipment.delayed'], { name: 'desk-money', maxAttempts: 2 })
  async onMoney(event: JourneyEventOf<'refund.issued' | 'shipment.delayed'>): Promise<void> {
    this.seen.push(`money:${event.type}`);
  }

  // Not a reactor.
  async helper(): Promise<void> {
    this.seen.push('helper');
  }
}

class SpecialDesk extends DelayDesk {
  @OnJourneyEvent('refund.issued')
  async onRefund(event: JourneyEventOf<'refund.issued'>): Promise<void> {
    this.seen.push(`special:${event.data.refundId}`);
  }
}

class Mistyped {
  // @ts-expect-error a refund handler cannot take delays: the event parameter is typed by the decorator's types
  @OnJourneyEvent('shipment.delayed')
  async onRefund(event: JourneyEventOf<'refund.issued'>): Promise<string> {
    return event.data.refundId;
  }
}

const context = { attempt: 1 } as ReactionContext;
const delayed: JourneyEvent = journeyEvent(
  'shipment.delayed',
  { orderId: 'o', shipmentId: 's', newEta: '2026-12-09T12:00:00Z', reason: 'snow', reasonCode: 'weather' },
  { subject: 'c', schemaversion: 2 },
);

describe('@OnJourneyEvent and the reactors found on a provider', () => {
  it('given decorated methods, when found, then each is a reactor named after class and method unless named', () => {
    const reactors = decoratedReactors(new DelayDesk());
    expect(reactors.map((r) => [r.name, r.canHandle, r.startFrom, r.maxAttempts])).toEqual([
      ['delay-desk.on-delayed', ['shipment.delayed'], 'beginning', undefined],
      ['desk-money', ['refund.issued', 'shipment.delayed'], undefined, 2],
    ]);
    expect(new Mistyped()).toBeInstanceOf(Mistyped);
  });

  it('given a subclass, when found, then the inherited handlers come too, named after the subclass', () => {
    expect(decoratedReactors(new SpecialDesk()).map((r) => r.name)).toEqual([
      'special-desk.on-refund',
      'special-desk.on-delayed',
      'desk-money',
    ]);
  });

  it('given an event, when a found reactor handles it, then the method runs bound to its provider', async () => {
    const desk = new DelayDesk();
    for (const reactor of decoratedReactors(desk)) await reactor.handle(delayed, context);
    expect(desk.seen).toEqual(['desk:weather:1', 'money:shipment.delayed']);
  });
});
