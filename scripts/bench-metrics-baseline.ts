/**
 * The hand-written Prometheus registry the backbone had before prom-client (as it was at 60d8ad4), kept here only as
 * the baseline of the metrics benchmark (`BENCH_ONLY=metrics`).
 */
export class HandWrittenRegistry {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();

  counter(name: string, help: string): void {
    if (!this.counters.has(name)) this.counters.set(name, { help, values: new Map() });
  }

  inc(name: string, labels: Record<string, string | number> = {}, by = 1): void {
    const counter = this.counters.get(name);
    if (!counter) throw new Error(`metric ${name} is not registered`);
    const key = formatLabels(labels);
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
  }

  render(
    gauges: Array<{
      name: string;
      help: string;
      samples: Array<{ labels: Record<string, string | number>; value: number }>;
    }> = [],
  ): string {
    const lines: string[] = [];
    for (const [name, { help, values }] of this.counters) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of values) lines.push(`${name}${labels} ${value}`);
    }
    for (const gauge of gauges) {
      lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
      for (const sample of gauge.samples) lines.push(`${gauge.name}${formatLabels(sample.labels)} ${sample.value}`);
    }
    return lines.join('\n') + '\n';
  }
}

function formatLabels(labels: Record<string, string | number>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const escape = (value: string) => value.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
  return `{${entries.map(([k, v]) => `${k}="${escape(String(v))}"`).join(',')}}`;
}
