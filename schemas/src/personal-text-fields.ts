import { catalog, EVENT_TYPES } from './catalog';
import { personalFieldPaths } from './personal-data';
import { JourneyView } from './views/journey-view';

/**
 * The names of the fields that hold personal text, in the events and in the views, as the catalog and the view schemas
 * declare them: what masking (reads without `pii:read`, the CLI without `--include-pii`) looks for. An identity's
 * `value` is masked whole instead (see `redact`).
 */
export const PERSONAL_TEXT_FIELDS: ReadonlySet<string> = new Set(
  [
    ...EVENT_TYPES.flatMap((type) => catalog[type].versions.flatMap((schema) => personalFieldPaths(schema))),
    ...personalFieldPaths(JourneyView),
  ]
    .map((path) => path[path.length - 1])
    .filter((name) => name !== 'value'),
);
