/**
 * CASH's signaling protocol is the contract in `@hoot/contracts` (`libs/contracts/src/lib/signaling/`: the
 * messages both ways, `SIGNAL_LIMITS`, the close codes, `parseClientMessage`), the same types the SDK
 * speaks. Re-exported here under CASH's names for the files that import them from this path.
 */
export { CLIENT_MESSAGE_TYPES, SIGNAL_LIMITS, parseClientMessage } from '@hoot/contracts';
export type {
  ClientMessage,
  ClientMessageType,
  IceCandidate,
  P2pSignal,
  ParseResult,
  ServerMessage,
  P2pPeers as P2pPeersView,
} from '@hoot/contracts';
