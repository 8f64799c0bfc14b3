import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isBackboneError } from '#errors';
import type { FieldError } from '#schemas';
import { metricsCommand } from './commands/metrics-command';
import { rebuildCommand } from './commands/rebuild-command';
import { replayCommand } from './commands/replay-command';
import { RATE_FLAGS, simulateCommand } from './commands/simulate-command';
import { tailCommand } from './commands/tail-command';
import { keysCommand } from './commands/keys-command';
import { accessLogCommand } from './commands/access-log-command';
import { forgetCommand } from './commands/forget-command';
import { verifyErasureCommand } from './commands/verify-erasure-command';
import { encryptLogCommand } from './commands/encrypt-log-command';
import { parkedCommand } from './commands/parked-command';
import { UsageError } from './usage-error';

export const USAGE = `journey: analysts' and operators' tool on the configured journey log
(same environment as the apps)

  journey replay (--customer ID | --order ID | --case ID) [--as-of TIME] [--channel C] [--json] [--include-pii]
      the events as a timeline (--json: as JSON); --as-of: the view as it was then, as GET ...?asOf= returns it
  journey metrics --from TIME --to TIME [--window 7d] [--by channel|reason|week] [--format table|json|csv]
                  [--out FILE] [--include-pii]
      the unity metrics of the range, in one pass over the log
  journey simulate --customers N [--seed S] [--start TIME] [--days D] [--prefix P] [--<defect>-rate R ...]
      realistic journeys through the producers' ingestion path; defect rates: ${Object.keys(RATE_FLAGS)
        .map((f) => `--${f}`)
        .join(', ')}
  journey rebuild <projection>
      drops a projection's documents and replays the log into it; refused while projectors run on the read store
  journey tail [--from-start] [--customer ID] [--type TYPE] [--count N] [--json] [--include-pii]
      events as they are appended
  journey keys create --name NAME --scope SCOPE [--scope ...] [--source PATTERN ...] [--expires TIME] [--json]
  journey keys list [--json]
  journey keys revoke KEYID
      API keys in the key file (AUTH_KEYS_FILE, default $DATA_DIR/auth-keys.json); create prints the token once
  journey keys rotate-master
      a new master key (PERSONAL_DATA_MASTER_KEY_FILE) re-wraps every personal-data key; the log is not touched
  journey access-log --customer ID [--from TIME] [--to TIME] [--json]
      who read the customer's data (newest first): credential, route, channel, purpose
  journey forget --customer ID --reason TEXT
      erases the customer's personal data (as POST /v1/customers/{id}/erasure): keys destroyed, views dropped
  journey verify-erasure --customer ID [--value TEXT ...] [--json]
      proves an erasure: keys, documents, the log, and the given values in the raw bytes of local files
  journey encrypt-log --to FILE
      copies a SQLite log written before encryption into a new one with its personal fields sealed (apps stopped)
  journey parked list [--consumer NAME] [--json]
      events projections, reactors and webhook deliveries parked, with their errors
  journey parked replay --consumer NAME [--event ID ...] [--wait]
      hands a reactor's (or a webhook's: webhook.<id>) parked events back to it, all or those named; --wait: until
      it has taken them (exit 1 when some are parked again)

Exports mask emails, phone numbers and names in free text unless --include-pii is given.
Progress shows on a terminal only. Ctrl-C stops cleanly: nothing is left half-written.
Exit codes: 0 done, 1 failed, 2 bad command line, 3 log or store unreachable, 4 read store busy (projectors
or a rebuild hold it), 130 interrupted.`;

const PII = { 'include-pii': { type: 'boolean' } } as const;

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  positionals = false,
): { values: Values; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const str = (values: Values, key: string) => values[key] as string | undefined;
const bool = (values: Values, key: string) => values[key] === true;

export async function runCli(argv: string[], signal: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'replay': {
        const { values } = parse(rest, {
          customer: { type: 'string' },
          order: { type: 'string' },
          case: { type: 'string' },
          'as-of': { type: 'string' },
          channel: { type: 'string' },
          json: { type: 'boolean' },
          ...PII,
        });
        return await replayCommand(
          {
            customer: str(values, 'customer'),
            order: str(values, 'order'),
            case: str(values, 'case'),
            asOf: str(values, 'as-of'),
            channel: str(values, 'channel'),
            json: bool(values, 'json'),
            includePii: bool(values, 'include-pii'),
          },
          signal,
        );
      }
      case 'metrics': {
        const { values } = parse(rest, {
          from: { type: 'string' },
          to: { type: 'string' },
          window: { type: 'string' },
          by: { type: 'string' },
          format: { type: 'string' },
          out: { type: 'string' },
          ...PII,
        });
        return await metricsCommand(
          {
            from: str(values, 'from'),
            to: str(values, 'to'),
            window: str(values, 'window'),
            by: str(values, 'by'),
            format: str(values, 'format'),
            out: str(values, 'out'),
            includePii: bool(values, 'include-pii'),
          },
          signal,
        );
      }
      case 'simulate': {
        const rateOptions = Object.fromEntries(
          Object.keys(RATE_FLAGS).map((flag) => [flag, { type: 'string' as const }]),
        );
        const { values } = parse(rest, {
          customers: { type: 'string' },
          seed: { type: 'string' },
          start: { type: 'string' },
          days: { type: 'string' },
          prefix: { type: 'string' },
          ...rateOptions,
        });
        const rates = Object.fromEntries(Object.keys(RATE_FLAGS).map((flag) => [flag, str(values, flag)]));
        return await simulateCommand(
          {
            customers: str(values, 'customers'),
            seed: str(values, 'seed'),
            start: str(values, 'start'),
            days: str(values, 'days'),
            prefix: str(values, 'prefix'),
            rates,
          },
          signal,
        );
      }
      case 'access-log': {
        const { values } = parse(rest, {
          customer: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          json: { type: 'boolean' },
        });
        return await accessLogCommand({
          customer: str(values, 'customer'),
          from: str(values, 'from'),
          to: str(values, 'to'),
          json: bool(values, 'json'),
        });
      }
      case 'keys': {
        const { values, positionals } = parse(
          rest,
          {
            name: { type: 'string' },
            scope: { type: 'string', multiple: true },
            source: { type: 'string', multiple: true },
            expires: { type: 'string' },
            json: { type: 'boolean' },
          },
          true,
        );
        return await keysCommand({
          action: positionals[0],
          keyId: positionals[1],
          name: str(values, 'name'),
          scopes: (values.scope as string[] | undefined) ?? [],
          sources: (values.source as string[] | undefined) ?? [],
          expires: str(values, 'expires'),
          json: bool(values, 'json'),
        });
      }
      case 'forget': {
        const { values } = parse(rest, { customer: { type: 'string' }, reason: { type: 'string' } });
        return await forgetCommand({ customer: str(values, 'customer'), reason: str(values, 'reason') });
      }
      case 'verify-erasure': {
        const { values } = parse(rest, {
          customer: { type: 'string' },
          value: { type: 'string', multiple: true },
          json: { type: 'boolean' },
        });
        return await verifyErasureCommand({
          customer: str(values, 'customer'),
          values: (values.value as string[] | undefined) ?? [],
          json: bool(values, 'json'),
        });
      }
      case 'encrypt-log': {
        const { values } = parse(rest, { to: { type: 'string' } });
        return await encryptLogCommand({ to: str(values, 'to') }, signal);
      }
      case 'parked': {
        const { values, positionals } = parse(
          rest,
          {
            consumer: { type: 'string' },
            event: { type: 'string', multiple: true },
            json: { type: 'boolean' },
            wait: { type: 'boolean' },
          },
          true,
        );
        if (positionals.length > 1) throw new UsageError('parked takes one action: list or replay');
        return await parkedCommand({
          action: positionals[0],
          consumer: str(values, 'consumer'),
          events: (values.event as string[] | undefined) ?? [],
          json: bool(values, 'json'),
          wait: bool(values, 'wait'),
        });
      }
      case 'rebuild': {
        const { positionals } = parse(rest, {}, true);
        if (positionals.length > 1) throw new UsageError('rebuild takes one projection');
        return await rebuildCommand(positionals[0], signal);
      }
      case 'tail': {
        const { values } = parse(rest, {
          'from-start': { type: 'boolean' },
          customer: { type: 'string' },
          type: { type: 'string' },
          count: { type: 'string' },
          json: { type: 'boolean' },
          ...PII,
        });
        return await tailCommand(
          {
            fromStart: bool(values, 'from-start'),
            customer: str(values, 'customer'),
            type: str(values, 'type'),
            count: str(values, 'count'),
            json: bool(values, 'json'),
            includePii: bool(values, 'include-pii'),
          },
          signal,
        );
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `journey ${command ?? ''}: ${error.message}\n(journey help: the commands and their flags)\n`,
      );
      return 2;
    }
    if (isBackboneError(error, 'configuration_invalid')) {
      process.stderr.write(`journey: ${error.message}\n`);
      return 2;
    }
    if (isBackboneError(error, 'log_unavailable') || isBackboneError(error, 'store_unavailable')) {
      process.stderr.write(`journey ${command}: ${error.message}\n`);
      return 3;
    }
    if (isBackboneError(error, 'projections_locked')) {
      process.stderr.write(`journey ${command}: ${error.message}\n`);
      return 4;
    }
    process.stderr.write(`journey ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    // What the HTTP API answers in `errors`: which event, which field, why.
    if (isBackboneError(error)) process.stderr.write(fieldErrorLines(error.details));
    return 1;
  }
}

/** The field errors of a refusal (the `errors` of an HTTP answer), one line each; nothing for other details. */
function fieldErrorLines(details: unknown): string {
  if (!Array.isArray(details)) return '';
  return details
    .filter((d): d is FieldError => typeof d === 'object' && d !== null && 'path' in d && 'message' in d)
    .map((d) => `  event ${d.index}, ${d.path}: ${d.message}\n`)
    .join('');
}
