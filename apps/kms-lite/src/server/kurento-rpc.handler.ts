import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { FaultController } from '../fault/fault-controller';
import type { MediaSet } from '../objects/media-set';
import {
  isJsonObject,
  rpcError,
  rpcResult,
  type JsonObject,
  type JsonValue,
  type RpcId,
  type RpcResponse,
} from '../protocol/json-rpc';
import { JSON_RPC_ERROR_CODES, KurentoError } from '../protocol/kurento-error';
import type { RpcConnection, SessionRegistry } from './session-registry';

const NEW_REF = 'newref:';

class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: JsonValue,
  ) {
    super(message);
  }
}

function invalidParams(message: string): RpcFailure {
  return new RpcFailure(JSON_RPC_ERROR_CODES.INVALID_PARAMS, message, { type: 'INVALID_PARAMS' });
}

function requireParams(params: JsonObject | null): JsonObject {
  if (!params) throw invalidParams("'params' is required");
  return params;
}

function requireString(params: JsonObject, key: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw invalidParams(`'${key}' is required and must be a string`);
  return value;
}

function toError(error: unknown): { code: number; message: string; data?: JsonValue } {
  if (error instanceof KurentoError) return error.toJson();
  if (error instanceof RpcFailure)
    return {
      code: error.code,
      message: error.message,
      ...(error.data !== undefined && { data: error.data }),
    };
  const message = error instanceof Error ? error.message : String(error);
  return KurentoError.of('UNEXPECTED_ERROR', message).toJson();
}

/** Replaces `newref:<n>` strings with the value returned by operation n of the same transaction. */
function injectRefs(value: JsonValue, results: (JsonValue | undefined)[]): JsonValue {
  if (typeof value === 'string' && value.startsWith(NEW_REF) && value.length > NEW_REF.length) {
    const index = Number(value.slice(NEW_REF.length));
    if (!Number.isInteger(index))
      throw KurentoError.of('MALFORMED_TRANSACTION', `Invalid index of newref '${value}'`);
    const result = results[index];
    if (result === undefined)
      throw KurentoError.of('MALFORMED_TRANSACTION', `Result not found on request ${index}`);
    return result;
  }
  if (Array.isArray(value)) return value.map((item) => injectRefs(item, results));
  if (isJsonObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, injectRefs(v, results)]));
  return value;
}

export interface RpcHandlerDeps {
  mediaSet: () => MediaSet;
  sessions: () => SessionRegistry;
  faults: FaultController;
  instanceId: () => string;
  logger: Logger;
}

/**
 * Kurento's JSON-RPC methods with its session rules: a request without `sessionId` gets the socket's
 * session filled in, a response carrying a `sessionId` binds the socket to it, and `connect` with a
 * session the server does not know fails with 40007.
 */
export class KurentoRpcHandler {
  constructor(private readonly deps: RpcHandlerDeps) {}

  /** Handles one text frame; resolves to the reply to send (none for notifications and hung requests). */
  async handle(connection: RpcConnection, text: string): Promise<RpcResponse | undefined> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return rpcError(null, { code: JSON_RPC_ERROR_CODES.PARSE_ERROR, message: 'Parse error.' });
    }
    if (!isJsonObject(message) || message.jsonrpc !== '2.0' || typeof message.method !== 'string') {
      const id =
        isJsonObject(message) && (typeof message.id === 'string' || typeof message.id === 'number')
          ? message.id
          : null;
      return rpcError(id, { code: JSON_RPC_ERROR_CODES.INVALID_REQUEST, message: 'Invalid request' });
    }
    const id: RpcId | null =
      typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
    const method = message.method;
    let params: JsonObject | null = isJsonObject(message.params) ? { ...message.params } : null;
    if (connection.sessionId && (params === null || params.sessionId === undefined)) {
      params = { ...(params ?? {}), sessionId: connection.sessionId };
    }

    const operation =
      params && typeof params.operation === 'string'
        ? params.operation
        : params && typeof params.type === 'string'
          ? params.type
          : undefined;
    const fault = this.deps.faults.take(method, operation, ['delay', 'hang']);
    if (fault?.action === 'hang') {
      this.deps.logger.info({ method, operation }, 'fault: request left unanswered');
      return undefined;
    }
    if (fault?.action === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.delayMs));

    let response: RpcResponse;
    try {
      const result = await this.dispatch(method, params);
      if (typeof result.sessionId === 'string') {
        this.deps.mediaSet().registerSession(result.sessionId);
        this.deps.sessions().bind(result.sessionId, connection);
      }
      response = rpcResult(id, result);
    } catch (error) {
      const rpcErr = toError(error);
      this.deps.logger.debug({ method, operation, code: rpcErr.code, err: rpcErr.message }, 'request failed');
      response = rpcError(id, rpcErr);
    }
    return id === null ? undefined : response;
  }

  private async dispatch(method: string, params: JsonObject | null): Promise<JsonObject> {
    const operation =
      params && typeof params.operation === 'string'
        ? params.operation
        : params && typeof params.type === 'string'
          ? params.type
          : undefined;
    const injected = this.deps.faults.take(method, operation, ['error']);
    if (injected?.action === 'error') throw new KurentoError(injected.code, injected.message);

    const mediaSet = this.deps.mediaSet();
    const sessionOf = (p: JsonObject): string =>
      typeof p.sessionId === 'string' ? p.sessionId : randomUUID();

    switch (method) {
      case 'ping': {
        const result: JsonObject = { value: 'pong' };
        if (params && typeof params.sessionId === 'string') result.sessionId = params.sessionId;
        return result;
      }
      case 'connect': {
        let sessionId: string;
        if (params === null || typeof params.sessionId !== 'string') {
          sessionId = randomUUID();
        } else {
          sessionId = params.sessionId;
          if (!mediaSet.hasSession(sessionId)) throw KurentoError.of('INVALID_SESSION', 'Invalid session');
        }
        return { sessionId, serverId: this.deps.instanceId() };
      }
      case 'keepAlive': {
        const p = requireParams(params);
        const sessionId = requireString(p, 'sessionId');
        if (!mediaSet.hasSession(sessionId)) throw KurentoError.of('INVALID_SESSION', 'Invalid session');
        return { sessionId };
      }
      case 'create': {
        const p = requireParams(params);
        const type = requireString(p, 'type');
        const sessionId = sessionOf(p);
        const constructorParams = isJsonObject(p.constructorParams) ? p.constructorParams : {};
        const object = mediaSet.create(sessionId, type, constructorParams);
        return { value: object.id, sessionId };
      }
      case 'describe': {
        const p = requireParams(params);
        const sessionId = sessionOf(p);
        const object = mediaSet.get(sessionId, requireString(p, 'object'));
        return {
          sessionId,
          type: object.type,
          qualifiedType: object.qualifiedType,
          hierarchy: [...object.hierarchy],
        };
      }
      case 'invoke': {
        const p = requireParams(params);
        const op = requireString(p, 'operation');
        const objectId = requireString(p, 'object');
        const sessionId = sessionOf(p);
        const operationParams = isJsonObject(p.operationParams) ? p.operationParams : {};
        const object = mediaSet.get(sessionId, objectId);
        const value = await object.invoke(op, operationParams);
        return { value, sessionId };
      }
      case 'subscribe': {
        const p = requireParams(params);
        const sessionId = sessionOf(p);
        const value = mediaSet.subscribe(sessionId, requireString(p, 'object'), requireString(p, 'type'));
        return { value, sessionId };
      }
      case 'unsubscribe': {
        const p = requireParams(params);
        requireString(p, 'object');
        mediaSet.unsubscribe(requireString(p, 'subscription'));
        return { sessionId: sessionOf(p) };
      }
      case 'release': {
        const p = requireParams(params);
        await mediaSet.release(requireString(p, 'object'));
        return { sessionId: sessionOf(p) };
      }
      case 'ref':
      case 'unref': {
        const p = requireParams(params);
        const sessionId = requireString(p, 'sessionId');
        if (method === 'ref') mediaSet.get(sessionId, requireString(p, 'object'));
        return { sessionId };
      }
      case 'closeSession': {
        const p = requireParams(params);
        await mediaSet.collectSession(requireString(p, 'sessionId'));
        return {};
      }
      case 'transaction':
        return this.transaction(requireParams(params));
      default:
        throw new RpcFailure(JSON_RPC_ERROR_CODES.METHOD_NOT_FOUND, 'Method not found.');
    }
  }

  /** Runs operations in order, resolving `newref:<n>`; stops at the first failure, as KMS does. */
  private async transaction(params: JsonObject): Promise<JsonObject> {
    const sessionId = typeof params.sessionId === 'string' ? params.sessionId : randomUUID();
    const operations = params.operations;
    if (!Array.isArray(operations)) throw invalidParams("'operations' is required and must be an array");
    const responses: JsonObject[] = [];
    const values: (JsonValue | undefined)[] = [];
    for (let index = 0; index < operations.length; index += 1) {
      const op = operations[index];
      if (!isJsonObject(op) || op.id !== index) {
        throw KurentoError.of('MALFORMED_TRANSACTION', `Id of request '${index}' should be '${index}'`);
      }
      if (typeof op.method !== 'string')
        throw KurentoError.of('MALFORMED_TRANSACTION', `Request ${index} has no method`);
      try {
        const opParams = injectRefs(isJsonObject(op.params) ? op.params : {}, values) as JsonObject;
        const result = await this.dispatch(op.method, { ...opParams, sessionId });
        values[index] = result.value ?? null;
        responses.push(rpcResult(index, result) as unknown as JsonObject);
      } catch (error) {
        responses.push(rpcError(index, toError(error)) as unknown as JsonObject);
        break;
      }
    }
    return { value: responses, sessionId };
  }
}
