import { DuplicateKeyError, mapMongoError, PersistenceError, PersistenceErrorCode } from './mongo-errors';

describe('mapMongoError', () => {
  it('maps a duplicate key with keyValue to DuplicateKeyError', () => {
    const mapped = mapMongoError({
      name: 'MongoServerError',
      code: 11000,
      message:
        'E11000 duplicate key error collection: db.accounts index: username_1 dup key: { username: "alice" }',
      keyValue: { username: 'alice' },
    });
    expect(mapped).toBeInstanceOf(DuplicateKeyError);
    expect(mapped).toMatchObject({
      code: PersistenceErrorCode.Duplicate,
      collection: 'accounts',
      keyValue: { username: 'alice' },
    });
  });

  it('reads the key from the message when the server leaves keyValue out', () => {
    const mapped = mapMongoError({
      code: 11000,
      message: 'E11000 duplicate key error collection: db.rooms dup key: { id: "standup" }',
    }) as DuplicateKeyError;
    expect(mapped.keyValue).toEqual({ id: 'standup' });
    expect(mapped.message).toBe('duplicate id in rooms: a document with id="standup" already exists');
  });

  it('maps network failures to Unavailable', () => {
    const mapped = mapMongoError({ name: 'MongoServerSelectionError', message: 'connect ECONNREFUSED' });
    expect(mapped).toBeInstanceOf(PersistenceError);
    expect((mapped as PersistenceError).code).toBe(PersistenceErrorCode.Unavailable);
  });

  it('leaves other errors alone', () => {
    const other = new TypeError('boom');
    expect(mapMongoError(other)).toBe(other);
    expect(mapMongoError('text')).toBe('text');
  });
});
