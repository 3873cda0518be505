import type { CcesEvent } from '@hoot/events';
import { CliHarness, FakeEventSource } from './testing/cli-harness';

describe('hoot (in-process, fake client)', () => {
  describe('events', () => {
    const event = (seq: number, type: string, data: Record<string, unknown>): CcesEvent =>
      ({
        id: `00000000-0000-4000-8000-00000000000${seq}`,
        type,
        schemaVersion: 1,
        coremxId: 'coremx-1',
        conferenceId: 'standup',
        seq,
        occurredAt: `2026-11-23T10:00:0${seq}.000Z`,
        data,
      }) as unknown as CcesEvent;
    const session = [
      event(1, 'room.started', {}),
      event(2, 'participant.joined', {
        participantId: 'p1',
        identity: 'acc-alice',
        role: 'publisher',
        joinOrder: 1,
      }),
    ];

    it('prints one line per event and reads from the beginning without --follow', async () => {
      const events = new FakeEventSource(session);
      const h = new CliHarness({ events, env: { kafkaBrokers: 'k1:9092,k2:9092' } });
      const { code, stdout } = await h.run('events', '--coremx', 'coremx-1');
      expect(code).toBe(0);
      expect(events.reads[0]).toMatchObject({
        brokers: ['k1:9092', 'k2:9092'],
        coremxId: 'coremx-1',
        follow: false,
        fromBeginning: true,
      });
      expect(stdout.split('\n')).toEqual([
        '2026-11-23T10:00:01.000Z  #1  standup  room.started',
        '2026-11-23T10:00:02.000Z  #2  standup  participant.joined  participantId=p1 identity=acc-alice role=publisher joinOrder=1',
        '',
      ]);
    });

    it('--follow starts at the end unless --from-beginning; -o json prints JSON lines', async () => {
      const events = new FakeEventSource(session);
      const h = new CliHarness({ events });
      await h.run('events', '--coremx', 'coremx-1', '--follow', '--brokers', 'k:1');
      const { stdout } = await h.run(
        'events',
        '--coremx',
        'coremx-1',
        '-f',
        '--from-beginning',
        '--brokers',
        'k:1',
        '-o',
        'json',
      );
      expect(events.reads.map((r) => [r.follow, r.fromBeginning])).toEqual([
        [true, false],
        [true, true],
      ]);
      expect(
        stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).type),
      ).toEqual(['room.started', 'participant.joined']);
    });

    it('prints chat.message as author and quoted text, never raw control or bidi characters (issue 21)', async () => {
      const chat = (seq: number, data: Record<string, unknown>) =>
        event(seq, 'chat.message', {
          messageId: `c${seq}`,
          participantId: 'p1',
          identity: 'acc-alice',
          displayName: 'Alice',
          ...data,
        });
      const events = new FakeEventSource([
        chat(3, { length: 19, text: 'hi\nall \u001b[2J\u202egnp.exe' }),
        chat(4, { length: 300, text: 'x'.repeat(300) }),
        chat(5, { length: 42, textOmitted: true }),
      ]);
      const { stdout } = await new CliHarness({ events }).run(
        'events',
        '--coremx',
        'coremx-1',
        '--brokers',
        'k:1',
      );
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(
        '2026-11-23T10:00:03.000Z  #3  standup  chat.message  Alice (p1): "hi?all ?[2J?gnp.exe"',
      );
      expect(lines[1]).toMatch(
        /^2026-11-23T10:00:04\.000Z {2}#4 {2}standup {2}chat\.message {2}Alice \(p1\): "x+…"$/,
      );
      expect(lines[1].length).toBeLessThan(200);
      expect(lines[2]).toBe(
        '2026-11-23T10:00:05.000Z  #5  standup  chat.message  Alice (p1): [text not published, 42 characters]',
      );
      expect(lines).toHaveLength(3);
    });

    it('does not need a login', async () => {
      const h = new CliHarness({ events: new FakeEventSource([]) });
      expect((await h.run('events', '--coremx', 'coremx-1', '--brokers', 'k:1')).code).toBe(0);
    });
  });
});
