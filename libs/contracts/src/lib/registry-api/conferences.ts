import type { ConferenceStatus, RoomRole, RoomType } from '@hoot/domain';

/** A conference as `GET /v1/conferences/:id` shows it (the owner also sees `allowed`). */
export interface Conference {
  id: string;
  /** `hoot.mx://<id>@<mixer>`: the current address (it changes when the conference moves). */
  address: string;
  type: RoomType;
  owner: string | null;
  public: boolean;
  /** Only in the owner's view. */
  allowed?: string[];
  maxParticipants: number | null;
  status: ConferenceStatus;
  participants: number;
  coremxId: string;
  /** Addresses it had before a move; joins at them still resolve. */
  previousAddresses: string[];
  createdAt: string;
  endedAt: string | null;
  /** In create and get answers: account id → username of the owner and (owner's view) the allowed people. */
  usernames?: Record<string, string>;
}

export interface ConferenceSettings {
  /** 1..`REGISTRY_API_LIMITS.maxParticipants.max`, capped by the account's plan. */
  maxParticipants?: number;
}

/** `POST /v1/conferences` (201 a new conference, 200 the owner's existing one with that id). */
export interface CreateConferenceInput {
  /** `[a-z0-9][a-z0-9-]{2,63}`; generated (`c-…`) when absent. Asking again with the same id is idempotent. */
  id?: string;
  type: RoomType;
  /** Usernames or account ids (`IDENTITY_PATTERN`) allowed besides the owner (up to `MAX_ALLOWED`). */
  allowed: string[];
  /** Anyone signed in may join. */
  public?: boolean;
  settings?: ConferenceSettings;
}

/** `GET /v1/conferences?limit=&after=`: the caller's own conferences by id. */
export interface ListConferencesQuery {
  /** 1..100, 20 when absent. */
  limit?: number;
  /** A conference id: the page starts after it (the `next` of the previous page). */
  after?: string;
}

export interface ConferencePage {
  items: Conference[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

/** `POST /v1/join`. */
export interface JoinRequest {
  /** A `hoot.mx://<conferenceId>@<mixerAddress>` address (a previous one of a moved conference works too). */
  address: string;
}

/** `POST /v1/join`: where and how to connect (the ticket is short-lived: use it at once). */
export interface JoinAnswer {
  conferenceId: string;
  /** The conference's current address (differs from the one asked for after a move). */
  address: string;
  coremxId: string;
  /** `ws(s)://…/signal` of the CoreMX that holds the room. */
  signalingUrl: string;
  /** Join ticket (a JWT for `coremx:<coremxId>`), sent in the signaling `join`. */
  ticket: string;
  ticketId: string;
  expiresAt: string;
  /** Initial role: the owner publishes, others view. */
  role: RoomRole;
  /** Opens the web app straight into the conference (the ticket is in the fragment, never sent to a server). */
  webUrl: string;
}
