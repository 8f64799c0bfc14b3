import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateJsonSchemaFiles } from '../src';

/** Writes schemas/json/*.schema.json from the zod catalog (run: npm run schemas:generate). */
const outDir = resolve(__dirname, '../../../schemas/json');
mkdirSync(outDir, { recursive: true });
for (const old of readdirSync(outDir)) if (old.endsWith('.schema.json')) rmSync(join(outDir, old));
const files = generateJsonSchemaFiles();
for (const file of files) writeFileSync(join(outDir, file.fileName), file.content);
console.log(`wrote ${files.length} JSON Schema files to ${outDir}`);
