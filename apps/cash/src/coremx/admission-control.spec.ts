import { AdmissionControl } from './admission-control';

describe('AdmissionControl', () => {
  const make = () =>
    new AdmissionControl({
      highWatermark: 0.8,
      lowWatermark: 0.6,
      capacityRooms: 10,
      capacityParticipants: 100,
    });

  it('goes overloaded at the high watermark and back only at the low one (hysteresis)', () => {
    const a = make();
    expect(a.update({ cpuPercent: 79, rooms: 0, participants: 0 })).toBe(false);
    expect(a.overloaded).toBe(false);
    expect(a.update({ cpuPercent: 80, rooms: 0, participants: 0 })).toBe(true);
    expect(a.overloaded).toBe(true);
    expect(a.update({ cpuPercent: 61, rooms: 0, participants: 0 })).toBe(false);
    expect(a.overloaded).toBe(true);
    expect(a.update({ cpuPercent: 60, rooms: 0, participants: 0 })).toBe(true);
    expect(a.overloaded).toBe(false);
  });

  it('takes the highest of CPU, room fill and participant fill, clamped to 0..1', () => {
    const a = make();
    a.update({ cpuPercent: 10, rooms: 5, participants: 20 });
    expect(a.load).toBeCloseTo(0.5);
    a.update({ cpuPercent: 10, rooms: 1, participants: 90 });
    expect(a.load).toBeCloseTo(0.9);
    a.update({ cpuPercent: 400, rooms: 0, participants: 0 });
    expect(a.load).toBe(1);
    a.update({ cpuPercent: Number.NaN, rooms: 0, participants: 0 });
    expect(a.load).toBe(0);
  });

  it('refuses thresholds without hysteresis', () => {
    expect(
      () =>
        new AdmissionControl({
          highWatermark: 0.5,
          lowWatermark: 0.5,
          capacityRooms: 1,
          capacityParticipants: 1,
        }),
    ).toThrow(RangeError);
  });
});
