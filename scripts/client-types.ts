/**
 * The typed client's types come from the OpenAPI document: this builds the app (no database needed),
 * renders its document with openapi-typescript, and writes client/openapi.ts.
 *
 *   npm run generate:client        after changing a route or a schema (test/client/types.test.ts fails until then)
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { createScheduler } from '../lib/index.ts';
import { createApp } from '../server/app.ts';

export const CLIENT_TYPES_FILE = fileURLToPath(new URL('../client/openapi.ts', import.meta.url));

const HEADER = `/**
 * The API's paths and schemas as TypeScript types, generated from its OpenAPI document by
 * scripts/client-types.ts (\`npm run generate:client\`). Do not edit by hand.
 */
`;

/** The content client/openapi.ts must have for the current routes and schemas. */
export async function renderClientTypes(): Promise<string> {
  // Never started: the document needs no database.
  const scheduler = createScheduler({ connectionString: 'postgres://unused@127.0.0.1:1/unused', fire: false });
  try {
    const response = await createApp({ scheduler }).request('/openapi.json');
    const document = (await response.json()) as OpenAPI3;
    return HEADER + astToString(await openapiTS(document, { alphabetize: true }));
  } finally {
    await scheduler.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(CLIENT_TYPES_FILE, await renderClientTypes());
  console.log(`wrote ${CLIENT_TYPES_FILE}`);
}
