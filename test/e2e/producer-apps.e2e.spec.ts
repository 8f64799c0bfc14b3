import { getJson, postJson, startBackbone, tempDataDir, type BackboneProcess } from '#testing';
import { workedJourneySteps } from './worked-journey';

/**
 * Every app in its own process over the same SQLite files: each producer accepts only its own
 * event types, and journey-api reads what the separate projector builds, with read-your-writes.
 */
describe('apps as separate processes on the embedded log', () => {
  const apps: Record<string, BackboneProcess> = {};
  beforeAll(async () => {
    const dataDir = tempDataDir();
    for (const app of ['checkout', 'shipment', 'contact', 'returns', 'projector', 'journey-api']) {
      apps[app] = await startBackbone({ app, dataDir });
    }
  });
  afterAll(async () => {
    for (const app of Object.values(apps)) await app.stop();
  });

  it('routes the worked journey to the owning producers and reads it back on journey-api', async () => {
    let position = '';
    for (const step of workedJourneySteps()) {
      const answer = await postJson(`${apps[step.app].url}/v1/events`, step.body);
      expect({ file: step.file, status: answer.status }).toEqual({ file: step.file, status: 201 });
      position = answer.body.position;
    }
    const view = await getJson(
      `${apps['journey-api'].url}/v1/customers/cust-1001/journey?minPosition=${position}&waitMs=5000`,
    );
    expect(view.status).toBe(200);
    expect(view.body.orders[0]).toMatchObject({
      status: { code: 'refunded' },
      refunded: 8900,
      policy: { returns: { version: 1 } },
    });
    const health = await getJson(`${apps.projector.url}/health`);
    expect(health.body.projections.every((p: { lag: number }) => p.lag === 0)).toBe(true);
  });

  it.each([
    ['checkout', 'shipment.delivered', 'shipment'],
    ['shipment', 'order.cancelled', 'checkout'],
    ['contact', 'refund.issued', 'returns'],
    ['returns', 'promise.made', 'contact'],
  ])('%s refuses %s (owned by %s) with 403 and appends nothing', async (app, type, owner) => {
    const before = (await getJson(`${apps[app].url}/health`)).body.journeyLog.head;
    const valid = {
      'shipment.delivered': { orderId: 'ord-1001', shipmentId: 's' },
      'order.cancelled': { orderId: 'ord-1001', reason: 'r' },
      'refund.issued': { refundId: 'r', orderId: 'ord-1001', amount: 1, currency: 'EUR' },
      'promise.made': { caseId: 'case-501', promiseId: 'p', text: 't', dueAt: '2026-04-02T00:00:00Z', owner: 'o' },
    }[type];
    const owned = await postJson(`${apps[app].url}/v1/events`, {
      specversion: '1.0',
      id: `not-owned-${app}`,
      source: '/e2e',
      type,
      subject: 'cust-1001',
      time: '2026-04-01T00:00:00Z',
      data: valid,
    });
    expect(owned.status).toBe(403);
    expect(owned.body.errors[0].message).toContain(`belongs to the ${owner} service`);
    expect((await getJson(`${apps[app].url}/health`)).body.journeyLog.head).toBe(before);
  });
});
