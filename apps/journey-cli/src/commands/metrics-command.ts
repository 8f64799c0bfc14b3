import { UnityMetrics, parseWindow, type Dimension, type MetricName, type MetricRow } from '#unity-metrics';
import { eventsOnLog, openLog, readWholeLog } from '../analysis-log';
import { isoTime } from '../cli-values';
import { writeFileAtomically } from '../output-file';
import { Progress } from '../progress';
import { redactText } from '#journey-read';
import { UsageError } from '../usage-error';

export interface MetricsArgs {
  from?: string;
  to?: string;
  window?: string;
  by?: string;
  format?: string;
  out?: string;
  includePii?: boolean;
}

const DIMENSIONS = ['channel', 'reason', 'week'] as const;
const FORMATS = ['table', 'json', 'csv'] as const;

/** How a metric's value reads in the table. */
function display(metric: MetricName, value: number | null): string {
  if (value === null) return '-';
  if (metric.endsWith('_hours')) return `${value.toFixed(1)} h`;
  if (metric === 'cases_open_at_end') return String(value);
  if (metric.startsWith('policy_dispute') || metric.startsWith('confusion')) return value.toFixed(2);
  return `${(value * 100).toFixed(1)}%`;
}

export function formatTable(rows: readonly MetricRow[]): string {
  const header = ['metric', 'group', 'value', 'numerator', 'denominator'];
  const body = rows.map((r) => [
    r.metric,
    r.group,
    display(r.metric, r.value),
    String(r.numerator),
    String(r.denominator),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + '\n';
}

function csvCell(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatCsv(rows: readonly MetricRow[]): string {
  return (
    [
      'metric,group,value,numerator,denominator',
      ...rows.map((r) => [r.metric, r.group, r.value, r.numerator, r.denominator].map(csvCell).join(',')),
    ].join('\n') + '\n'
  );
}

/** `journey metrics`: one streaming pass over the log, the unity metrics of the range. */
export async function metricsCommand(args: MetricsArgs, signal: AbortSignal): Promise<number> {
  const from = isoTime('from', args.from);
  const to = isoTime('to', args.to);
  if (Date.parse(to) <= Date.parse(from)) throw new UsageError('--to must be after --from');
  let windowMs: number;
  try {
    windowMs = parseWindow(args.window ?? '7d');
  } catch (error) {
    throw new UsageError(`--window: ${(error as Error).message}`);
  }
  if (args.by !== undefined && !(DIMENSIONS as readonly string[]).includes(args.by))
    throw new UsageError(`--by must be one of ${DIMENSIONS.join(', ')}, not "${args.by}"`);
  const format = args.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${format}"`);

  const { log } = await openLog({ mustExist: true });
  try {
    const metrics = new UnityMetrics({ from, to, windowMs, by: args.by as Dimension | undefined });
    const progress = new Progress('metrics', await eventsOnLog(log));
    for await (const page of readWholeLog(log, { shouldStop: () => signal.aborted })) {
      for (const stored of page) metrics.add(stored.event, stored.sequence, stored.lookups);
      progress.add(page.length);
    }
    const seconds = progress.finish();
    if (signal.aborted) {
      process.stderr.write('metrics: interrupted; nothing written\n');
      return 130;
    }
    // A reason is text people typed: masked like any export unless asked for.
    const rows = metrics
      .result()
      .map((r) => (args.by === 'reason' && !args.includePii ? { ...r, group: redactText(r.group) } : r));
    const output =
      format === 'json'
        ? JSON.stringify(
            { from, to, window: args.window ?? '7d', by: args.by ?? null, events: metrics.events, rows },
            null,
            2,
          ) + '\n'
        : format === 'csv'
          ? formatCsv(rows)
          : formatTable(rows);
    if (args.out) writeFileAtomically(args.out, output);
    else process.stdout.write(output);
    if (process.stderr.isTTY)
      process.stderr.write(
        `metrics: ${metrics.events.toLocaleString('en-US')} events read in ${seconds.toFixed(1)} s\n`,
      );
    return 0;
  } finally {
    await log.close();
  }
}
