// The rules of who publishes: streams, screen sharing, raised hands and the owner's decision, ownership.

import { RoomErrorCode as E } from './room-error-codes';
import { joinOf, must, newRoom, roles, run } from './room.fixture';
import { applyRoomCommand, roomOwner, type RoomCommand } from './room-rules';
import { freePublisherSlots, publishersOf, screenSharers } from './room-state';
import { ROOM_TYPE_RULES } from './room-types';
import { at, expectRefused, groupRoom, withPublishers } from './room-rules.fixture';

describe('publishing', () => {
  it('publishes and unpublishes kinds, in a stable order', () => {
    const room = groupRoom();
    const published = applyRoomCommand(room, {
      type: 'publish',
      at,
      participantId: 'alice',
      kinds: ['video', 'audio'],
    });
    expect(published).toMatchObject({
      ok: true,
      events: [{ type: 'stream.published', participantId: 'alice', kinds: ['audio', 'video'] }],
    });
    const r1 = must(published);
    expect(r1.participants[0].streams).toEqual(['audio', 'video']);
    expectRefused(
      r1,
      { type: 'publish', at, participantId: 'alice', kinds: ['audio'] },
      E.STREAM_ALREADY_PUBLISHED,
    );
    const r2 = run(r1, { type: 'unpublish', at, participantId: 'alice', kinds: ['video'] });
    expect(r2.events).toMatchObject([{ type: 'stream.unpublished', kinds: ['video'] }]);
    const r3 = run(r2.room, { type: 'unpublish', at, participantId: 'alice' });
    expect(r3.events).toMatchObject([{ type: 'stream.unpublished', kinds: ['audio'] }]);
    expect(r3.room.participants[0].streams).toEqual([]);
    expectRefused(r3.room, { type: 'unpublish', at, participantId: 'alice' }, E.STREAM_NOT_PUBLISHED);
    expectRefused(
      r2.room,
      { type: 'unpublish', at, participantId: 'alice', kinds: ['video'] },
      E.STREAM_NOT_PUBLISHED,
    );
  });

  it('refuses viewers and strangers', () => {
    expectRefused(
      groupRoom(),
      { type: 'publish', at, participantId: 'bob', kinds: ['audio'] },
      E.NOT_A_PUBLISHER,
    );
    expectRefused(groupRoom(), { type: 'unpublish', at, participantId: 'bob' }, E.NOT_A_PUBLISHER);
    expectRefused(
      groupRoom(),
      { type: 'publish', at, participantId: 'zed', kinds: ['audio'] },
      E.NOT_IN_ROOM,
    );
  });

  it('refuses video in an audio-only room, with a clear code, and keeps audio working', () => {
    const room = groupRoom('a2m');
    expectRefused(
      room,
      { type: 'publish', at, participantId: 'alice', kinds: ['video'] },
      E.VIDEO_NOT_ALLOWED,
    );
    expectRefused(
      room,
      { type: 'publish', at, participantId: 'alice', kinds: ['audio', 'video'] },
      E.VIDEO_NOT_ALLOWED,
    );
    const audio = run(room, { type: 'publish', at, participantId: 'alice', kinds: ['audio'] }).room;
    expect(audio.participants[0].streams).toEqual(['audio']);
  });
});

describe('sharing a screen', () => {
  const share = (participantId: string): RoomCommand => ({
    type: 'publish',
    at,
    participantId,
    kinds: ['screen'],
  });

  it('is a stream of its own beside the camera: published, listed and unpublished alone', () => {
    const camera = run(groupRoom(), {
      type: 'publish',
      at,
      participantId: 'alice',
      kinds: ['audio', 'video'],
    });
    const shared = run(camera.room, share('alice'));
    expect(shared.events).toMatchObject([
      { type: 'stream.published', participantId: 'alice', kinds: ['screen'] },
    ]);
    expect(shared.room.participants[0].streams).toEqual(['audio', 'video', 'screen']);
    expect(screenSharers(shared.room).map((p) => p.participantId)).toEqual(['alice']);
    expectRefused(shared.room, share('alice'), E.STREAM_ALREADY_PUBLISHED);
    const stopped = run(shared.room, { type: 'unpublish', at, participantId: 'alice', kinds: ['screen'] });
    expect(stopped.events).toMatchObject([{ type: 'stream.unpublished', kinds: ['screen'] }]);
    expect(stopped.room.participants[0].streams).toEqual(['audio', 'video']);
    expectRefused(
      stopped.room,
      { type: 'unpublish', at, participantId: 'alice', kinds: ['screen'] },
      E.STREAM_NOT_PUBLISHED,
    );
  });

  it('may be shared without a camera (a publisher with only a screen)', () => {
    const shared = run(groupRoom(), share('alice')).room;
    expect(shared.participants[0].streams).toEqual(['screen']);
  });

  it('is for publishers only, where the room type allows it', () => {
    expect(ROOM_TYPE_RULES.m2m.maxScreens).toBe(1);
    expect(ROOM_TYPE_RULES.p2m.maxScreens).toBe(1);
    expect(ROOM_TYPE_RULES.a2m.maxScreens).toBe(0);
    expect(ROOM_TYPE_RULES.p2p.maxScreens).toBe(0);
    expectRefused(groupRoom(), share('bob'), E.NOT_A_PUBLISHER);
    expectRefused(groupRoom('p2m'), share('bob'), E.NOT_A_PUBLISHER);
    expect(run(groupRoom('p2m'), share('alice')).room.participants[0].streams).toEqual(['screen']);
    expectRefused(groupRoom('a2m'), share('alice'), E.SCREEN_SHARE_NOT_ALLOWED);
    const call = run(newRoom('p2p'), joinOf('alice'), joinOf('bob')).room;
    expectRefused(call, share('bob'), E.SCREEN_SHARE_NOT_ALLOWED);
  });

  it('allows one screen in the room at a time: a second sharer waits for the first to stop', () => {
    const room = run(withPublishers(2), share('alice')).room;
    const refused = applyRoomCommand(room, share('p1'));
    expect(refused).toMatchObject({ ok: false, code: E.SCREEN_SHARE_TAKEN });
    expect(refused.ok ? '' : refused.message).toContain('alice');
    expectRefused(room, share('p1'), E.SCREEN_SHARE_TAKEN);
    const freed = run(room, { type: 'unpublish', at, participantId: 'alice', kinds: ['screen'] }).room;
    expect(run(freed, share('p1')).room.participants[1].streams).toEqual(['screen']);
  });

  it('ends with its sharer: leaving, being kicked or the end of the room unpublish it', () => {
    const room = run(withPublishers(2), share('p1')).room;
    expect(run(room, { type: 'leave', at, participantId: 'p1' }).events[0]).toEqual(
      expect.objectContaining({ type: 'stream.unpublished', participantId: 'p1', kinds: ['screen'] }),
    );
    const kicked = run(room, { type: 'kick', at, by: 'alice', target: 'p1' });
    expect(kicked.events[0]).toEqual(
      expect.objectContaining({ type: 'stream.unpublished', participantId: 'p1', kinds: ['screen'] }),
    );
    expect(screenSharers(kicked.room)).toEqual([]);
    // Someone else may share once the sharer is gone.
    expect(run(kicked.room, share('alice')).room.participants[0].streams).toEqual(['screen']);
    const ended = run(room, { type: 'end', at, by: 'alice' }).room;
    expect(screenSharers(ended)).toEqual([]);
  });
});

describe('raising hands', () => {
  it('sends the request to the owner, who approves: the viewer becomes a publisher', () => {
    const raised = applyRoomCommand(groupRoom(), { type: 'raiseHand', at, participantId: 'bob' });
    expect(raised).toMatchObject({
      ok: true,
      events: [{ type: 'hand.raised', participantId: 'bob', ownerId: 'alice' }],
    });
    const room = must(raised);
    expect(room.participants[1]).toMatchObject({ handRaised: true, handRaisedAt: at });
    const approved = applyRoomCommand(room, { type: 'approve', at, by: 'alice', target: 'bob' });
    expect(approved).toMatchObject({
      ok: true,
      events: [
        { type: 'hand.approved', participantId: 'bob', by: 'alice' },
        { type: 'participant.role-changed', participantId: 'bob', from: 'viewer', to: 'publisher' },
      ],
    });
    const after = must(approved);
    expect(after.participants[1]).toMatchObject({ role: 'publisher', handRaised: false });
    expect(after.participants[1].handRaisedAt).toBeUndefined();
    expect(after.ownerId).toBe('alice');
  });

  it('lets the owner deny, and the viewer lower the hand', () => {
    const room = run(groupRoom(), { type: 'raiseHand', at, participantId: 'bob' }).room;
    const denied = run(room, { type: 'deny', at, by: 'alice', target: 'bob' });
    expect(denied.events).toMatchObject([{ type: 'hand.denied', participantId: 'bob', by: 'alice' }]);
    expect(denied.room.participants[1]).toMatchObject({ role: 'viewer', handRaised: false });
    const lowered = run(room, { type: 'lowerHand', at, participantId: 'bob' });
    expect(lowered.events).toMatchObject([{ type: 'hand.lowered', participantId: 'bob' }]);
    expectRefused(lowered.room, { type: 'lowerHand', at, participantId: 'bob' }, E.HAND_NOT_RAISED);
  });

  it('refuses what does not make sense', () => {
    const room = run(groupRoom(), joinOf('dave'), { type: 'raiseHand', at, participantId: 'bob' }).room;
    const second = run(
      room,
      { type: 'raiseHand', at, participantId: 'carol' },
      { type: 'approve', at, by: 'alice', target: 'carol' },
    ).room;
    expectRefused(room, { type: 'raiseHand', at, participantId: 'bob' }, E.HAND_ALREADY_RAISED);
    expectRefused(room, { type: 'raiseHand', at, participantId: 'alice' }, E.ALREADY_PUBLISHER);
    expectRefused(room, { type: 'raiseHand', at, participantId: 'zed' }, E.NOT_IN_ROOM);
    expectRefused(second, { type: 'approve', at, by: 'carol', target: 'bob' }, E.NOT_OWNER);
    expectRefused(room, { type: 'approve', at, by: 'dave', target: 'bob' }, E.NOT_OWNER);
    expectRefused(room, { type: 'approve', at, by: 'zed', target: 'bob' }, E.NOT_IN_ROOM);
    expectRefused(room, { type: 'approve', at, by: 'alice', target: 'zed' }, E.TARGET_NOT_IN_ROOM);
    expectRefused(room, { type: 'approve', at, by: 'alice', target: 'dave' }, E.HAND_NOT_RAISED);
    expectRefused(room, { type: 'deny', at, by: 'dave', target: 'bob' }, E.NOT_OWNER);
    expectRefused(room, { type: 'deny', at, by: 'alice', target: 'carol' }, E.HAND_NOT_RAISED);
  });

  it('promotes only while a publisher slot is free (9 in m2m)', () => {
    const full = withPublishers(9);
    expect(freePublisherSlots(full)).toBe(0);
    const waiting = run(full, joinOf('v'), { type: 'raiseHand', at, participantId: 'v' }).room;
    expectRefused(waiting, { type: 'approve', at, by: 'alice', target: 'v' }, E.ROOM_FULL);
    const freed = run(waiting, { type: 'leave', at, participantId: 'p3' }).room;
    expect(roles(run(freed, { type: 'approve', at, by: 'alice', target: 'v' }).room)['v']).toBe('publisher');
  });

  it('has a single publisher in p2m: a hand can be raised but never approved while it is there', () => {
    const room = run(groupRoom('p2m'), { type: 'raiseHand', at, participantId: 'bob' }).room;
    expectRefused(room, { type: 'approve', at, by: 'alice', target: 'bob' }, E.ROOM_FULL);
    expect(publishersOf(room)).toHaveLength(1);
  });

  it('leaves a request waiting when no publisher is there, until the creator comes back', () => {
    const room = run(groupRoom('p2m'), { type: 'leave', at, participantId: 'alice' });
    expect(room.events).toMatchObject([
      { type: 'participant.left', participantId: 'alice', remaining: 2 },
      { type: 'room.owner-changed', from: 'alice', to: null },
    ]);
    const raised = run(room.room, { type: 'raiseHand', at, participantId: 'bob' });
    expect(raised.events).toMatchObject([{ type: 'hand.raised', ownerId: null }]);
    const back = run(raised.room, joinOf('alice-2', { identity: 'alice' }));
    expect(back.room.ownerId).toBe('alice-2');
    expect(back.room.participants.find((p) => p.participantId === 'bob')?.handRaised).toBe(true);
  });
});

describe('ownership', () => {
  it('passes to the next oldest publisher at once when the owner leaves', () => {
    const room = withPublishers(3); // alice, p1, p2
    const left = run(room, { type: 'leave', at, participantId: 'alice' });
    expect(left.events.map((e) => e.type)).toEqual(['participant.left', 'room.owner-changed']);
    expect(left.events[1]).toMatchObject({ from: 'alice', to: 'p1' });
    expect(roomOwner(left.room)?.participantId).toBe('p1');
  });

  it('goes to nobody when the last publisher leaves', () => {
    const left = run(withPublishers(2), { type: 'leave', at, participantId: 'alice' });
    expect(left.events).toMatchObject([
      { type: 'participant.left', participantId: 'alice' },
      { type: 'room.owner-changed', from: 'alice', to: 'p1' },
    ]);
    const alone = run(left.room, joinOf('v'), { type: 'leave', at, participantId: 'p1' });
    expect(alone.room.ownerId).toBeNull();
    expect(roomOwner(alone.room)).toBeUndefined();
  });

  it('counts seniority as a publisher: promoting an early viewer does not take ownership away', () => {
    // bob joins (as a viewer) before alice, the creator; once promoted he is still the newest publisher.
    const early = run(newRoom('m2m'), joinOf('bob'), joinOf('alice')).room;
    expect(early.ownerId).toBe('alice');
    const promoted = run(
      early,
      { type: 'raiseHand', at, participantId: 'bob' },
      { type: 'approve', at, by: 'alice', target: 'bob' },
    );
    expect(promoted.events.map((e) => e.type)).not.toContain('room.owner-changed');
    expect(promoted.room.ownerId).toBe('alice');
    expect(run(promoted.room, { type: 'leave', at, participantId: 'alice' }).room.ownerId).toBe('bob');
  });
});
