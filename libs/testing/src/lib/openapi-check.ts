import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';

/** The parts of an OpenAPI 3 document these checks read. */
export interface OpenApiLike {
  paths?: object;
}
type PathItems = Record<string, Record<string, unknown> & { parameters?: unknown[] }>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** What `@ApiExcludeController()` / `@ApiExcludeEndpoint()` of @nestjs/swagger set. */
const EXCLUDE_CONTROLLER = 'swagger/apiExcludeController';
const EXCLUDE_ENDPOINT = 'swagger/apiExcludeEndpoint';

/** Follows a local `$ref` (`#/components/parameters/X`) to what it names. */
const deref = (doc: OpenApiLike, value: unknown): unknown => {
  const ref = (value as { $ref?: unknown } | null)?.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return value;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
};

const pathParams = (doc: OpenApiLike, parameters: unknown): string[] =>
  (Array.isArray(parameters) ? parameters : [])
    .map((p) => deref(doc, p))
    .filter((p): p is { in: string; name: string; required?: boolean } => typeof p === 'object' && p !== null)
    .filter((p) => p.in === 'path' && p.required === true)
    .map((p) => p.name);

/**
 * What is wrong with an OpenAPI document: whatever a real validator (@apidevtools/swagger-parser: the
 * OpenAPI schema and its rules, `$ref`s resolved) refuses, then every `{name}` of a path template that
 * no `parameters` entry (`in: path`, `required: true`, on the path or the operation) declares, and every
 * declared path parameter the template lacks. Empty when the document is sound.
 */
export async function openApiProblems(doc: OpenApiLike): Promise<string[]> {
  const problems: string[] = [];
  try {
    // Loaded here, not at the top: every spec imports this lib, few need the validator.
    const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
    // The validator dereferences in place: hand it a copy.
    await SwaggerParser.validate(structuredClone(doc) as never);
  } catch (error) {
    problems.push(`invalid OpenAPI: ${(error as Error).message}`);
  }
  for (const [path, item] of Object.entries((doc.paths ?? {}) as PathItems)) {
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of HTTP_METHODS.filter((m) => m in item)) {
      const operation = item[method] as { parameters?: unknown[] };
      const declared = new Set([
        ...pathParams(doc, item.parameters),
        ...pathParams(doc, operation.parameters),
      ]);
      for (const name of templated) {
        if (!declared.has(name))
          problems.push(`${method.toUpperCase()} ${path}: path parameter {${name}} not declared`);
      }
      for (const name of declared) {
        if (!templated.includes(name))
          problems.push(`${method.toUpperCase()} ${path}: declares {${name}}, not in the path`);
      }
    }
  }
  return problems;
}

/** `METHOD /path` of every operation of an OpenAPI document, path templates as written (`{id}`). */
export function openApiRoutes(doc: OpenApiLike): string[] {
  return Object.entries((doc.paths ?? {}) as PathItems)
    .flatMap(([path, item]) => HTTP_METHODS.filter((m) => m in item).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

const joinPath = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/**
 * `METHOD /path` of every route the controllers of a Nest application declare (their `@Controller` and
 * `@Get`/`@Post`… decorators; `:id` written `{id}` as in OpenAPI), except those @nestjs/swagger is told
 * to leave out. Works on a created application, listening or not.
 */
export function nestRoutes(app: INestApplication): string[] {
  const routes = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller || Reflect.getMetadata(EXCLUDE_CONTROLLER, controller)?.[0] === true) continue;
      const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (paths === undefined || method === undefined) continue;
        if (Reflect.getMetadata(EXCLUDE_ENDPOINT, handler)?.disable === true) continue;
        for (const prefix of prefixes)
          for (const path of [paths].flat())
            routes.add(
              `${RequestMethod[method]} ${joinPath(prefix, path).replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`,
            );
      }
    }
  }
  return [...routes].sort();
}
