import { deviceOptions, inviteLink, isDarkFrame } from './media-signals';

describe('isDarkFrame', () => {
  it('is true for a black frame and false as soon as one pixel is bright', () => {
    const black = new Uint8ClampedArray(4 * 16).fill(0);
    for (let i = 3; i < black.length; i += 4) black[i] = 255;
    expect(isDarkFrame(black)).toBe(true);
    const lit = Uint8ClampedArray.from(black);
    lit[20] = 200;
    lit[21] = 200;
    lit[22] = 200;
    expect(isDarkFrame(lit)).toBe(false);
  });
});

describe('deviceOptions', () => {
  it('splits cameras and microphones, numbers unnamed ones and drops duplicates', () => {
    const options = deviceOptions([
      { deviceId: 'a', kind: 'audioinput', label: 'Built-in' },
      { deviceId: 'a', kind: 'audioinput', label: 'Built-in' },
      { deviceId: 'v1', kind: 'videoinput', label: '' },
      { deviceId: 'o', kind: 'audiooutput', label: 'Speakers' },
      { deviceId: '', kind: 'videoinput', label: '' },
    ]);
    expect(options).toEqual({
      cameras: [{ id: 'v1', label: 'Camera 1' }],
      microphones: [{ id: 'a', label: 'Built-in' }],
    });
  });
});

describe('inviteLink', () => {
  it("is this registry's join URL with the address in the fragment", () => {
    expect(inviteLink('https://reg-c1-1.hoot.mx/', 'standup', 'hoot.mx://standup@coremx-1.c1.hoot.mx')).toBe(
      'https://reg-c1-1.hoot.mx/join/standup#address=hoot.mx%3A%2F%2Fstandup%40coremx-1.c1.hoot.mx',
    );
    expect(inviteLink('https://reg-c1-1.hoot.mx', 'standup')).toBe('https://reg-c1-1.hoot.mx/join/standup');
  });
});
