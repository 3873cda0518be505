import { ROOM_CHILD_LIMITS, addChild } from './room-children';
import { RoomErrorCode as E } from './room-error-codes';
import { T0, deepFreeze, joinOf, must, newRoom, run } from './room.fixture';
import { applyRoomCommand } from './room-rules';
import type { Room } from './room-state';

const at = T0 + 100;

function chatRoom(): Room {
  return deepFreeze(run(newRoom('m2m'), joinOf('alice'), joinOf('bob')).room);
}

describe('addChild (chat messages)', () => {
  it('adds a message from any participant, viewer or publisher, with an event', () => {
    const result = addChild(chatRoom(), { by: 'bob', text: 'hello', at });
    expect(result).toMatchObject({
      ok: true,
      room: { version: 3, children: [{ childId: 'c3', by: 'bob', identity: 'bob', text: 'hello', at }] },
      events: [
        {
          type: 'child.added',
          childId: 'c3',
          by: 'bob',
          identity: 'bob',
          displayName: 'bob',
          text: 'hello',
          version: 3,
          at,
        },
      ],
    });
    const second = addChild(must(result), { by: 'alice', text: 'hi', at });
    expect(must(second).children.map((c) => c.childId)).toEqual(['c3', 'c4']);
  });

  it('is also a room command', () => {
    const result = applyRoomCommand(chatRoom(), { type: 'addChild', at, by: 'alice', text: 'x' });
    expect(must(result).children).toHaveLength(1);
  });

  it('accepts the room itself as the parent, and nothing else (one level only)', () => {
    expect(
      must(addChild(chatRoom(), { by: 'bob', text: 'a', at, parentId: 'standup' })).children,
    ).toHaveLength(1);
    expect(addChild(chatRoom(), { by: 'bob', text: 'a', at, parentId: 'c3' })).toMatchObject({
      ok: false,
      code: E.CHILDREN_ONE_LEVEL_ONLY,
    });
  });

  it.each<[string, Record<string, unknown>, E]>([
    ['empty text', { text: '' }, E.CHILD_TEXT_EMPTY],
    ['blank text', { text: ' \n\t ' }, E.CHILD_TEXT_EMPTY],
    ['too long a text', { text: 'x'.repeat(2001) }, E.CHILD_TEXT_TOO_LONG],
    ['a stranger', { by: 'zed' }, E.NOT_IN_ROOM],
    ['no author', { by: '' }, E.INVALID_COMMAND],
    ['a text that is not a string', { text: 42 }, E.INVALID_COMMAND],
    ['no time', { at: 'now' }, E.INVALID_COMMAND],
  ])('refuses %s and changes nothing', (_name, extra, code) => {
    const room = chatRoom();
    expect(addChild(room, { by: 'bob', text: 'ok', at, ...extra } as never)).toMatchObject({
      ok: false,
      code,
    });
    expect(room.children).toEqual([]);
  });

  it('refuses a non-object and an ended room', () => {
    expect(addChild(chatRoom(), null as never)).toMatchObject({ ok: false, code: E.INVALID_COMMAND });
    const ended = run(chatRoom(), { type: 'end', at, by: 'alice' }).room;
    expect(addChild(ended, { by: 'bob', text: 'x', at })).toMatchObject({ ok: false, code: E.ROOM_ENDED });
  });

  it('counts characters, not UTF-16 units: 2000 emoji fit', () => {
    const emoji = '😀'.repeat(2000);
    expect(emoji.length).toBe(4000);
    expect(addChild(chatRoom(), { by: 'bob', text: emoji, at }).ok).toBe(true);
    expect(addChild(chatRoom(), { by: 'bob', text: `${emoji}x`, at })).toMatchObject({
      code: E.CHILD_TEXT_TOO_LONG,
    });
  });

  it(`keeps only the last ${ROOM_CHILD_LIMITS.maxChildren} messages`, () => {
    let room = chatRoom();
    for (let i = 0; i < 205; i++) room = must(addChild(room, { by: 'alice', text: `m${i}`, at }));
    expect(room.children).toHaveLength(200);
    expect(room.children[0].text).toBe('m5');
    expect(room.children[199].text).toBe('m204');
  });

  it('takes other limits', () => {
    const limits = { maxTextLength: 3, maxChildren: 2 };
    let room = chatRoom();
    expect(addChild(room, { by: 'bob', text: 'abcd', at }, limits)).toMatchObject({
      code: E.CHILD_TEXT_TOO_LONG,
    });
    for (const text of ['a', 'b', 'c']) room = must(addChild(room, { by: 'bob', text, at }, limits));
    expect(room.children.map((c) => c.text)).toEqual(['b', 'c']);
    expect(
      must(addChild(room, { by: 'bob', text: 'd', at }, { ...limits, maxChildren: 0 })).children,
    ).toEqual([]);
  });
});
