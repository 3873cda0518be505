export * from './lib/sdk-error-codes';
export * from './lib/registry-order';
export * from './lib/registry-http.error';
export type { FetchInit, FetchLike, FetchResponseLike, HttpAnswer } from './lib/registry-http';
export * from './lib/registry-unavailable.error';
export * from './lib/registry-client.defaults';
export * from './lib/registry-client';
export * from './lib/discovery';
// The registry API's types are its contract's (`@hoot/contracts`), re-exported so SDK users keep their imports.
export type {
  Conference,
  ConferencePage,
  ConferenceSettings,
  CoreMxAnswer,
  CoreMxInfo,
  CreateConferenceInput,
  GcasAnswer,
  GcasVersion,
  HootErrorCode,
  JoinAnswer,
  JoinRequest,
  ListConferencesQuery,
  RegistriesAnswer,
  RegistryInfo,
  RouletteAnswer,
  RouletteEntry,
  RouletteQuery,
  SignInResult,
} from '@hoot/contracts';
export * from './lib/hoot-api.error';
export * from './lib/web-socket';
export * from './lib/hoot-client';
export * from './lib/media';
export * from './lib/hls';
export * from './lib/emitter';
// The signaling protocol is its contract's (`@hoot/contracts`), re-exported so SDK users keep their imports.
export { isServerPush, SignalingCloseCode } from '@hoot/contracts';
export type {
  ClientSignal,
  HlsStreamAccess,
  IceCandidate,
  P2pPeers,
  P2pSignal,
  RecordingStatus,
  RecordingStopReason,
  ServerPush,
  ServerSignal,
  SignalAnswer,
  SignalAnswerOf,
  SignalRefusal,
} from '@hoot/contracts';
export * from './lib/signaling-client';
export * from './lib/room-diff';
export * from './lib/room-session';
