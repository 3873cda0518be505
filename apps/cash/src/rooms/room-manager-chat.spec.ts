import { RoomErrorCode } from '@hoot/domain';
import type { CcesPublisher } from '@hoot/events';
import { CashErrorCode } from '../cash-error';
import { RecordingChannel } from '../testing/recording-channel';
import { roomFixture, type RoomFixture } from '../testing/room-fixture';
import type { ChatEventsMode } from './cces-event.mapper';

/** Issue 21 item 4: a chat message is a conference event on the CoreMX's topic (`CHAT_EVENTS`). */
describe('RoomManager chat events', () => {
  const join = async (f: RoomFixture, identity: string, displayName: string) => {
    const channel = new RecordingChannel();
    const id = await f.rooms.join(
      { roomId: 'standup', identity, ticketId: `t-${identity}`, displayName },
      channel,
    );
    return { id, channel };
  };

  async function chatSession(chatEvents?: ChatEventsMode) {
    const f = roomFixture(chatEvents === undefined ? {} : { chatEvents });
    await f.rooms.reserve({ id: 'standup', type: 'm2m', owner: 'alice' });
    const alice = await join(f, 'alice', 'Alice Ångström');
    const bob = await join(f, 'bob', 'Bob');
    await f.rooms.command('standup', alice.id, { type: 'addChild', text: 'hello bob 👋' });
    await f.rooms.command('standup', bob.id, { type: 'raiseHand' });
    await f.rooms.command('standup', bob.id, { type: 'addChild', text: 'hi alice\nsecond line' });
    return { f, alice, bob };
  }

  it('publishes chat.message with the author and text by default, in order in the conference seq stream', async () => {
    const { f, alice, bob } = await chatSession();
    const events = f.events.events.filter((e) => e.conferenceId === 'standup');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.type)).toEqual([
      'room.reserved',
      'room.started',
      'participant.joined',
      'room.owner-changed',
      'participant.joined',
      'chat.message',
      'hand.raised',
      'chat.message',
    ]);
    expect(f.events.ofType('chat.message').map((e) => e.data)).toEqual([
      {
        messageId: expect.stringMatching(/^c\d+$/),
        participantId: alice.id,
        identity: 'alice',
        displayName: 'Alice Ångström',
        length: 11,
        text: 'hello bob 👋',
      },
      {
        messageId: expect.stringMatching(/^c\d+$/),
        participantId: bob.id,
        identity: 'bob',
        displayName: 'Bob',
        length: 20,
        text: 'hi alice\nsecond line',
      },
    ]);
    // the message id is the room object's child id
    expect(f.events.ofType('chat.message').map((e) => e.data.messageId)).toEqual(
      f.rooms.view('standup')?.children.map((c) => c.childId),
    );
  });

  it('CHAT_EVENTS=metadata publishes the author and length with textOmitted, and no text anywhere', async () => {
    const { f, alice } = await chatSession('metadata');
    const chats = f.events.ofType('chat.message');
    expect(chats.map((e) => e.data)).toEqual([
      {
        messageId: expect.any(String),
        participantId: alice.id,
        identity: 'alice',
        displayName: 'Alice Ångström',
        length: 11,
        textOmitted: true,
      },
      expect.objectContaining({ identity: 'bob', length: 20, textOmitted: true }),
    ]);
    const wire = JSON.stringify(f.events.events);
    expect(wire).not.toContain('hello bob');
    expect(wire).not.toContain('second line');
    // the room itself still has the messages
    expect(f.rooms.view('standup')?.children.map((c) => c.text)).toEqual([
      'hello bob 👋',
      'hi alice\nsecond line',
    ]);
  });

  it('CHAT_EVENTS=off publishes no chat event; the other events stay gap-free', async () => {
    const { f } = await chatSession('off');
    expect(f.events.ofType('chat.message')).toEqual([]);
    const events = f.events.events.filter((e) => e.conferenceId === 'standup');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(f.rooms.view('standup')?.children).toHaveLength(2);
  });

  it('publishes control characters the contract refuses as U+FFFD (same length); the room keeps the original', async () => {
    const f = roomFixture();
    const alice = await join(f, 'alice', 'Alice');
    await f.rooms.command('standup', alice.id, { type: 'addChild', text: 'ding\u0007 \u001b[2J' });
    expect(f.events.ofType('chat.message')[0].data).toMatchObject({
      text: 'ding\ufffd \ufffd[2J',
      length: 10,
    });
    expect(f.rooms.view('standup')?.children[0].text).toBe('ding\u0007 \u001b[2J');
  });

  it('a message the room refuses (too long, empty) publishes nothing', async () => {
    const f = roomFixture();
    const alice = await join(f, 'alice', 'Alice');
    const before = f.events.events.length;
    await expect(
      f.rooms.command('standup', alice.id, { type: 'addChild', text: 'x'.repeat(2001) }),
    ).rejects.toMatchObject({ code: RoomErrorCode.CHILD_TEXT_TOO_LONG });
    await expect(
      f.rooms.command('standup', alice.id, { type: 'addChild', text: '  ' }),
    ).rejects.toMatchObject({
      code: RoomErrorCode.CHILD_TEXT_EMPTY,
    });
    expect(f.events.events.length).toBe(before);
    // 2000 characters (the room's limit) is published whole
    await f.rooms.command('standup', alice.id, { type: 'addChild', text: '€'.repeat(2000) });
    expect(f.events.ofType('chat.message')[0].data).toMatchObject({ length: 2000, text: '€'.repeat(2000) });
  });

  it('a chat the journal refuses is not added to the room (the event is the commit)', async () => {
    const f = roomFixture();
    const alice = await join(f, 'alice', 'Alice');
    const publish = f.events.publish.bind(f.events) as CcesPublisher['publish'];
    f.events.publish = (async (input) => {
      if (input.type === 'chat.message') throw new Error('journal full');
      return publish(input);
    }) as CcesPublisher['publish'];
    await expect(
      f.rooms.command('standup', alice.id, { type: 'addChild', text: 'lost?' }),
    ).rejects.toMatchObject({ code: CashErrorCode.EventsUnavailable });
    expect(f.rooms.view('standup')?.children).toEqual([]);
  });
});
