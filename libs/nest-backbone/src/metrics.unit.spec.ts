import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from './metrics';

const DASHBOARD = join(__dirname, '../../../docs/grafana-dashboard.json');

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string }>;
}

describe('metrics on prom-client', () => {
  it('given a request, an append and a committed batch, then the histograms count them', async () => {
    const metrics = new Metrics('sqlite');
    metrics.httpDuration.observe({ method: 'POST', route: '/v1/events', status: 201 }, 0.004);
    metrics.appendDuration.observe({ outcome: 'appended' }, 0.003);
    const recordedAt = Date.now() - 1500;
    metrics.observeBatch({
      position: 's2',
      changed: new Map(),
      seconds: 0.02,
      events: [{ recordedAt }, {}].map(
        (e, i) => ({ ...e, position: `s${i}`, journeyVersion: 1, sequence: i }) as never,
      ),
    });
    metrics.observeDelivery({
      reactor: 'notifier',
      position: 's1',
      type: 'shipment.delayed',
      parked: false,
      attempts: 2,
      seconds: 0.5,
      recordedAt,
      replayed: false,
    });
    const text = await metrics.render();
    const bucket = text
      .split('\n')
      .find((l) => l.startsWith('journey_http_request_duration_seconds_bucket{le="0.005"'));
    expect(bucket).toBe(
      'journey_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/v1/events",status="201"} 1',
    );
    expect(text).toMatch(/^journey_append_duration_seconds_count\{outcome="appended"\} 1$/m);
    expect(text).toMatch(/^journey_projection_batch_duration_seconds_count 1$/m);
    // Only the event whose record time the log gave is counted, and it took about 1.5 s.
    expect(text).toMatch(/^journey_append_to_visible_seconds_count 1$/m);
    expect(text).toMatch(/^journey_append_to_visible_seconds_bucket\{le="1"\} 0$/m);
    expect(text).toMatch(/^journey_append_to_visible_seconds_bucket\{le="2\.5"\} 1$/m);
    expect(text).toMatch(/^journey_reactor_handle_duration_seconds_count\{reactor="notifier",outcome="retried"\} 1$/m);
    expect(text).toMatch(/^journey_reactor_append_to_handled_seconds_count\{reactor="notifier"\} 1$/m);
    // The process's default metrics are there too.
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });

  it('says in the lag help what the log counts', async () => {
    expect(await new Metrics('kafka').render()).toMatch(/# HELP journey_projection_lag_events .*offsets/);
    expect(await new Metrics('eventstoredb').render()).toMatch(/# HELP journey_projection_lag_events .*bytes/);
  });

  it('has a Grafana dashboard whose every query names metrics the backbone exposes', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; __inputs: unknown[] };
    const exposed = new Set(
      (await new Metrics('sqlite').registry.getMetricsAsJSON()).flatMap((m) =>
        String(m.type) === 'histogram' ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
      ),
    );
    const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(queries.length).toBeGreaterThanOrEqual(15);
    const unknown = queries.flatMap(({ panel, expr }) =>
      [...expr.matchAll(/\b(?:journey|process|nodejs)_[a-z0-9_]+\b/g)]
        .map((m) => m[0])
        .filter((name) => !exposed.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
    // Importable as is: the data source is asked for on import.
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
  });
});
