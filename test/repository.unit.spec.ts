import { execSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { catalog, EVENT_TYPES, personalFieldPaths } from '#schemas';
import { ORDER_STATUSES, STATUS_CODES } from '#journey-domain';
import { METRIC_NAMES } from '#unity-metrics';

/** The house rules of the repository: every pointer resolves, the docs name what the code has, names are declared. */
const ROOT = resolve(__dirname, '..');
const tracked = execSync('git ls-files --cached --others --exclude-standard', { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '' && existsSync(join(ROOT, f)));
/**
 * Written by tools (`npm install`, `npm run schemas:generate`) or in a tool's own form (a Grafana dashboard, one query
 * per line), one JSON value per line as they write it.
 */
const GENERATED = ['package-lock.json', 'docs/asyncapi.json', 'docs/grafana-dashboard.json'];
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchors = (file: string) =>
  new Set([...read(file).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1].replace(/`/g, ''))));

/** The rows of the first Markdown table whose header starts with `first`, as arrays of trimmed cells. */
function tableRows(file: string, first: string): string[][] {
  const lines = read(file).split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} `));
  if (start < 0) throw new Error(`no table starting with "${first}" in ${file}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}
const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('repository: pointers', () => {
  const markdown = tracked.filter((f) => f.endsWith('.md'));

  it.each(markdown)('every relative link in %s resolves (file and anchor)', (file) => {
    const broken: string[] = [];
    for (const [, target] of read(file).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const resolved = path === '' ? file : join(dirname(file), path);
      if (!existsSync(join(ROOT, resolved))) broken.push(target);
      else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });

  it('every Markdown file named in code and scripts exists (from the root, or in docs/)', () => {
    const code = tracked.filter((f) => /\.(ts|js|mjs|sh)$/.test(f));
    const broken: string[] = [];
    for (const file of code) {
      for (const [name] of read(file).matchAll(/[\w./-]*[\w-]\.md\b/g)) {
        if (name.includes('node_modules')) continue;
        const found = existsSync(join(ROOT, name)) || (!name.includes('/') && existsSync(join(ROOT, 'docs', name)));
        if (!found) broken.push(`${file}: ${name}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every code block of the contributor guide marked with a file is that file text', () => {
    const guide = read('docs/adding-a-consumer.md');
    const blocks = [...guide.matchAll(/<!-- file: (\S+) -->\s*```ts\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const trimmed = (text: string) =>
      text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
    for (const [, file, block] of blocks) {
      const source = trimmed(read(file)).join('\n');
      expect({ file, found: source.includes(trimmed(block).join('\n')) }).toEqual({ file, found: true });
    }
  });
});

describe('repository: the docs name what the code has', () => {
  it('the journey model lists every event type of the catalog, with its owner and its rules', () => {
    const rows = tableRows('docs/journey-model.md', 'type');
    const documented = new Map(rows.map((r) => [names(r[0])[0], { owner: r[1], rules: r[2] }]));
    for (const type of EVENT_TYPES) {
      const rules = Object.entries(catalog[type].rules).map(([rule, value]) =>
        typeof value === 'string' && !['orderId', 'caseId', 'policyId'].includes(value) ? `${rule}: ${value}` : rule,
      );
      expect({ type, ...documented.get(type) }).toEqual({
        type,
        owner: catalog[type].owner,
        rules: rules.map((r) => `\`${r}\``).join(', '),
      });
    }
    expect(documented.size).toBe(EVENT_TYPES.length);
  });

  it('the wire contract gives every type its current version and every field of its data', () => {
    const rows = new Map(tableRows('docs/wire-contract.md', 'type').map((r) => [names(r[0])[0], r]));
    for (const type of EVENT_TYPES) {
      const version = catalog[type].versions.length;
      const schema = JSON.parse(read(`schemas/json/${type}.v${version}.schema.json`)) as {
        properties: { data: { properties: Record<string, unknown>; required?: string[] } };
      };
      const { properties, required = [] } = schema.properties.data;
      const row = rows.get(type);
      expect({ type, version: row?.[1] }).toEqual({ type, version: String(version) });
      const fields = Object.keys(properties).map((f) => (required.includes(f) ? f : `${f}?`));
      // Each field opens a cell entry: `name` or `name?`, followed by what it holds.
      const listed = row![2].split(/,\s*(?![^(]*\))/).map((entry) => names(entry)[0]);
      expect({ type, fields: listed }).toEqual({ type, fields });
    }
    expect(rows.size).toBe(EVENT_TYPES.length);
  });

  it('the wire contract lists the personal fields of every type that has any, as the catalog declares them', () => {
    const rows = tableRows('docs/wire-contract.md', 'event type').map((r) => [names(r[0])[0], names(r[1])]);
    const declared = EVENT_TYPES.flatMap((type) => {
      const fields = personalFieldPaths(catalog[type].versions[catalog[type].versions.length - 1]);
      return fields.length > 0 ? [[type, fields.map((path) => path.join('.'))]] : [];
    });
    expect(rows).toEqual(declared);
  });

  it('the journey model lists every status code with its rank and label', () => {
    const rows = tableRows('docs/journey-model.md', 'code');
    expect(rows.map((r) => [names(r[0])[0], Number(r[1]), r[2]])).toEqual(
      STATUS_CODES.map((code) => [code, ORDER_STATUSES[code].rank, ORDER_STATUSES[code].label]),
    );
  });

  it('the unity metrics page defines every metric the code computes, in its order', () => {
    expect(tableRows('docs/unity-metrics.md', 'metric').map((r) => names(r[0])[0])).toEqual([...METRIC_NAMES]);
  });
});

describe('repository: names and layout', () => {
  const libraries = readdirSync(join(ROOT, 'libs')).sort();
  const apps = readdirSync(join(ROOT, 'apps')).sort();

  it('package.json names every library, and every name points at an entry point that exists', () => {
    const { imports } = JSON.parse(read('package.json')) as {
      imports: Record<string, { types: string; default: string }>;
    };
    for (const lib of libraries) expect(imports[`#${lib}`]?.types).toBe(`./libs/${lib}/src/index.ts`);
    for (const [name, target] of Object.entries(imports)) {
      expect({ name, exists: existsSync(join(ROOT, target.types)) }).toEqual({ name, exists: true });
      expect(target.default).toBe(`./dist/${target.types.slice(2).replace(/\.ts$/, '.js')}`);
    }
  });

  it('nest-cli.json describes every app and library of the monorepo', () => {
    const { projects } = JSON.parse(read('nest-cli.json')) as {
      projects: Record<string, { type: string; root: string }>;
    };
    const listed = Object.values(projects).map((p) => `${p.type} ${p.root}`);
    expect(listed.sort()).toEqual(
      [
        ...apps.map((a) => `application apps/${a}`),
        ...libraries.map((l) => `library libs/${l}`),
        'library schemas',
      ].sort(),
    );
  });

  it('no line of code or configuration is wider than the formatter allows', () => {
    const { printWidth } = JSON.parse(read('.prettierrc.json')) as { printWidth: number };
    const wide = tracked
      .filter((f) => /\.(ts|js|mjs|json)$/.test(f) && !f.startsWith('schemas/json/') && !GENERATED.includes(f))
      .flatMap((f) =>
        read(f)
          .split('\n')
          .map((line, i) => ({ f, i, line }))
          .filter(({ line }) => line.length > printWidth)
          .map(({ f, i }) => `${f}:${i + 1}`),
      );
    expect(wide).toEqual([]);
  });
});
