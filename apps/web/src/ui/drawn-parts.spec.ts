import { DrawnParts } from './drawn-parts';

describe('DrawnParts', () => {
  it('says a part is unchanged only when it was last drawn from equal data', () => {
    const drawn = new DrawnParts();
    expect(drawn.unchanged('chat', [{ text: 'hi' }])).toBe(false);
    expect(drawn.unchanged('chat', [{ text: 'hi' }])).toBe(true);
    expect(drawn.unchanged('people', [{ text: 'hi' }])).toBe(false);
    expect(drawn.unchanged('chat', [{ text: 'hi' }, { text: 'there' }])).toBe(false);
    expect(drawn.unchanged('chat', [{ text: 'hi' }])).toBe(false);
  });
});
