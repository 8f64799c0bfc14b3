import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateJsonSchemaFiles } from '#schemas';
import { ASYNCAPI_DEFAULTS, asyncApiDocument } from '#nest-backbone';

/**
 * Writes the contracts generated from the zod catalog (run: npm run schemas:generate): schemas/json/*.schema.json, and
 * docs/asyncapi.json with the default topic names. Tests fail when the checked-in files differ.
 */
const root = resolve(__dirname, '../..');
const outDir = join(root, 'schemas/json');
mkdirSync(outDir, { recursive: true });
for (const old of readdirSync(outDir)) if (old.endsWith('.schema.json')) rmSync(join(outDir, old));
const files = generateJsonSchemaFiles();
for (const file of files) writeFileSync(join(outDir, file.fileName), file.content);
console.log(`wrote ${files.length} JSON Schema files to ${outDir}`);
const asyncApi = join(root, 'docs/asyncapi.json');
writeFileSync(asyncApi, `${JSON.stringify(asyncApiDocument(ASYNCAPI_DEFAULTS), null, 2)}\n`);
console.log(`wrote ${asyncApi}`);
