import { Schema } from 'mongoose';

/** Collections of the auth service. `_id` is our own id (a string), never an ObjectId. */

export const accountSchema: Schema = new Schema(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true, unique: true },
    displayName: { type: String, required: true },
    kind: { type: String, required: true, enum: ['user', 'service'] },
    organisation: { type: String, default: '' },
    plan: { type: String, default: '' },
    roles: { type: [String], default: [] },
    limits: {
      maxConferences: { type: Number, required: true },
      maxParticipants: { type: Number, required: true },
    },
    disabled: { type: Boolean, default: false },
    passwordHash: { type: String },
    tokensNotBeforeMs: { type: Number },
    createdAt: { type: String, required: true },
  },
  { collection: 'accounts', versionKey: false, strict: 'throw' },
);

export const apiKeySchema: Schema = new Schema(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true, index: true },
    name: { type: String, required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: String, required: true },
    revoked: { type: Boolean, default: false },
  },
  { collection: 'api_keys', versionKey: false, strict: 'throw' },
);

export const revocationSchema: Schema = new Schema(
  {
    _id: { type: String, required: true },
    type: { type: String, required: true, enum: ['token.revoked', 'subject.revoked'] },
    sub: { type: String, required: true },
    jti: { type: String, index: true },
    expiresAtMs: { type: Number },
    beforeMs: { type: Number },
    createdAt: { type: String, required: true },
    published: { type: Boolean, required: true, index: true },
  },
  { collection: 'revocations', versionKey: false, strict: 'throw' },
);

export const ticketKeySchema: Schema = new Schema(
  {
    _id: { type: String, required: true },
    registry: { type: String, required: true },
    accountId: { type: String, required: true },
    x: { type: String, required: true },
    createdAt: { type: String, required: true },
    expiresAtMs: { type: Number, required: true },
  },
  { collection: 'ticket_keys', versionKey: false, strict: 'throw' },
);
ticketKeySchema.index({ registry: 1, createdAt: -1 });
ticketKeySchema.index({ expiresAtMs: 1 });
