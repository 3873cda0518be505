import type { RegistryView } from '../gcas/registry-node';
import { haversineKm, roulette } from './roulette';

const view = (
  registryId: string,
  latitude: number,
  longitude: number,
  liveness: RegistryView['liveness'] = 'alive',
): RegistryView => {
  const [, cloud, priority] = registryId.split('-');
  return {
    registryId,
    cloud,
    priority: Number(priority),
    url: `http://${registryId}`,
    region: cloud === 'c1' ? 'eu' : 'us',
    latitude,
    longitude,
    liveness,
    primary: false,
    self: false,
    silentForMs: 0,
    heartbeat: { incarnation: 1, seq: 1 },
    load: 0.5,
    coremx: 1,
  };
};
const all = [
  view('reg-c2-2', 40, -74),
  view('reg-c1-2', 50, 8),
  view('reg-c1-1', 50, 8),
  view('reg-c2-1', 40, -74),
];

describe('roulette', () => {
  it('orders by great-circle distance, then priority', () => {
    expect(roulette(all, { latitude: 48, longitude: 2 }).map((r) => r.registryId)).toEqual([
      'reg-c1-1',
      'reg-c1-2',
      'reg-c2-1',
      'reg-c2-2',
    ]);
    expect(roulette(all, { latitude: 41, longitude: -73 }).map((r) => r.registryId)).toEqual([
      'reg-c2-1',
      'reg-c2-2',
      'reg-c1-1',
      'reg-c1-2',
    ]);
  });

  it('puts the given region first, and leaves out dead registries but keeps suspect ones', () => {
    const withDead = [...all.slice(1), view('reg-c2-2', 40, -74, 'dead'), view('reg-c3-1', 0, 0, 'suspect')];
    expect(roulette(withDead, { region: 'us' }).map((r) => r.registryId)).toEqual([
      'reg-c2-1',
      'reg-c3-1',
      'reg-c1-1',
      'reg-c1-2',
    ]);
  });

  it('computes distances on the sphere', () => {
    // Paris – New York ≈ 5,837 km.
    expect(Math.round(haversineKm(48.8566, 2.3522, 40.7128, -74.006))).toBeGreaterThan(5_800);
    expect(Math.round(haversineKm(48.8566, 2.3522, 40.7128, -74.006))).toBeLessThan(5_870);
    expect(haversineKm(10, 10, 10, 10)).toBe(0);
  });
});
