import { USERNAME_PATTERN } from './account';

describe('USERNAME_PATTERN', () => {
  it.each(['alice', 'reg-c1-1', 'cash.coremx-1', 'a_b'])('accepts %s', (name) => {
    expect(USERNAME_PATTERN.test(name)).toBe(true);
  });

  it.each(['al', 'Alice', '-alice', 'al ice', 'a'.repeat(65), '$where'])('refuses %s', (name) => {
    expect(USERNAME_PATTERN.test(name)).toBe(false);
  });
});
