import { writeFile } from 'node:fs/promises';
import { ConfigSchema } from './schema.js';

/** The JSON Schema of voicehub.yaml as editors read it (`# yaml-language-server: $schema=…`). */
export function configJsonSchema(): string {
  const schema = { $schema: 'http://json-schema.org/draft-07/schema#', $id: 'https://voicehub.local/voicehub.schema.json', ...JSON.parse(JSON.stringify(ConfigSchema)) };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

// `npm run schema` writes the file at the repo root; a test checks it is never stale.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'))) {
  await writeFile(process.argv[2] ?? 'voicehub.schema.json', configJsonSchema());
}
