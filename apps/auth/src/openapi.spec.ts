import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nestRoutes, openApiProblems, openApiRoutes, type OpenApiLike } from '@hoot/testing';
import { load } from 'js-yaml';
import { startAuthTestApp, type AuthTestApp } from './testing/auth-test-app';

/** apps/auth/openapi.yaml is written by hand: held against a real validator and against the controllers. */
describe('openapi.yaml', () => {
  const doc = load(readFileSync(join(__dirname, '../openapi.yaml'), 'utf8')) as OpenApiLike;
  let t: AuthTestApp;

  beforeAll(async () => {
    t = await startAuthTestApp();
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('is a valid OpenAPI document whose every path parameter is declared', async () => {
    expect(await openApiProblems(doc)).toEqual([]);
  });

  it('documents exactly the routes the controllers declare', () => {
    expect(openApiRoutes(doc)).toEqual(nestRoutes(t.app));
  });
});
