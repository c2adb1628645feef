/**
 * The client's types are generated from the OpenAPI document; they must match the routes as they are.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CLIENT_TYPES_FILE, renderClientTypes } from '../../scripts/client-types.ts';

test('client/openapi.ts is up to date with the OpenAPI document (else: npm run generate:client)', async () => {
  assert.equal(await readFile(CLIENT_TYPES_FILE, 'utf8'), await renderClientTypes());
});
