/** JSON-RPC 2.0 message shapes as Kurento uses them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export type RpcId = string | number;

export interface RpcRequest {
  jsonrpc: '2.0';
  id?: RpcId;
  method: string;
  params?: JsonObject | null;
}

export interface RpcError {
  code: number;
  message: string;
  data?: JsonValue;
}

export interface RpcResponse {
  jsonrpc: '2.0';
  id: RpcId | null;
  result?: JsonObject;
  error?: RpcError;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function rpcResult(id: RpcId | null, result: JsonObject): RpcResponse {
  return { jsonrpc: '2.0', id, result };
}

export function rpcError(id: RpcId | null, error: RpcError): RpcResponse {
  return { jsonrpc: '2.0', id, error };
}

/** A Kurento event notification: `onEvent` with `params.value = { data, object, type }`. */
export function eventNotification(objectId: string, type: string, data: JsonObject): RpcRequest {
  return { jsonrpc: '2.0', method: 'onEvent', params: { value: { data, object: objectId, type } } };
}
