import { DevicePreferences } from './device-preferences';
import type { KeyValueStorage } from './session-store';

class MemoryStorage implements KeyValueStorage {
  readonly data = new Map<string, string>();
  refuse = false;
  getItem(key: string): string | null {
    if (this.refuse) throw new Error('SecurityError');
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.refuse) throw new Error('QuotaExceededError');
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

describe('DevicePreferences', () => {
  it('remembers each kind for the next join, one kind at a time, and forgets one on undefined', () => {
    const storage = new MemoryStorage();
    const prefs = new DevicePreferences(storage);
    expect(prefs.load()).toEqual({});
    prefs.save({ cameraId: 'cam-2' });
    prefs.save({ microphoneId: 'mic-2' });
    // A new page (the next join) reads the same storage.
    expect(new DevicePreferences(storage).load()).toEqual({ cameraId: 'cam-2', microphoneId: 'mic-2' });
    prefs.save({ cameraId: undefined });
    expect(prefs.load()).toEqual({ microphoneId: 'mic-2' });
  });

  it('ignores what it cannot read (hand-written values, storage refused) and uses the defaults', () => {
    const storage = new MemoryStorage();
    storage.data.set('hoot.devices', '{not json');
    expect(new DevicePreferences(storage).load()).toEqual({});
    storage.data.set('hoot.devices', JSON.stringify({ cameraId: 42, microphoneId: '', extra: 'x' }));
    expect(new DevicePreferences(storage).load()).toEqual({});
    storage.refuse = true;
    expect(new DevicePreferences(storage).save({ cameraId: 'cam-2' })).toEqual({ cameraId: 'cam-2' });
    expect(new DevicePreferences(undefined).load()).toEqual({});
  });
});
