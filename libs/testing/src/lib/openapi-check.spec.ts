import { openApiProblems, openApiRoutes, type OpenApiLike } from './openapi-check';

const ok = { '200': { description: 'ok' } };
const docWith = (paths: OpenApiLike['paths'], extra: Record<string, unknown> = {}): OpenApiLike =>
  ({ openapi: '3.0.3', info: { title: 't', version: '1' }, paths, ...extra }) as OpenApiLike;
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

describe('openApiProblems', () => {
  it('accepts a sound document, path parameters declared on the operation, the path or through $ref', async () => {
    const doc = docWith(
      {
        '/a/{id}': { get: { parameters: [idParam], responses: ok } },
        '/b/{id}': { parameters: [idParam], get: { responses: ok } },
        '/c/{id}': { get: { parameters: [{ $ref: '#/components/parameters/Id' }], responses: ok } },
      },
      { components: { parameters: { Id: idParam } } },
    );
    expect(await openApiProblems(doc)).toEqual([]);
    expect(openApiRoutes(doc)).toEqual(['GET /a/{id}', 'GET /b/{id}', 'GET /c/{id}']);
  });

  it('names each path template parameter nobody declares, and a declared one the path lacks', async () => {
    const doc = docWith({
      '/a/{id}/b/{other}': { get: { parameters: [idParam], responses: ok }, delete: { responses: ok } },
      '/c': { get: { parameters: [idParam], responses: ok } },
    });
    expect(await openApiProblems(doc)).toEqual([
      'GET /a/{id}/b/{other}: path parameter {other} not declared',
      'DELETE /a/{id}/b/{other}: path parameter {id} not declared',
      'DELETE /a/{id}/b/{other}: path parameter {other} not declared',
      'GET /c: declares {id}, not in the path',
    ]);
  });

  it('reports what the OpenAPI validator refuses', async () => {
    const problems = await openApiProblems(docWith({ '/a': { get: { responses: 'none' } } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^invalid OpenAPI: /);
  });
});
