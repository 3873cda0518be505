import { HootException } from '../errors/hoot.exception';
import { charsetOf, readJsonBody } from './json-body.parser';

const options = { maxDepth: 4, parse: (text: string): unknown => JSON.parse(text) };

function refusal(raw: Buffer | string, contentType = 'application/json'): HootException {
  try {
    readJsonBody(typeof raw === 'string' ? Buffer.from(raw) : raw, contentType, options);
  } catch (error) {
    if (error instanceof HootException) return error;
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('charsetOf', () => {
  it.each([
    [undefined, undefined],
    ['application/json', undefined],
    ['application/json; charset=utf-8', 'utf-8'],
    ['application/json;CHARSET="UTF-16"', 'utf-16'],
    ['application/json; foo=bar; charset = latin1 ', 'latin1'],
  ])('%s → %s', (contentType, charset) => {
    expect(charsetOf(contentType)).toBe(charset);
  });
});

describe('readJsonBody', () => {
  it('reads a UTF-8 body, with or without a BOM', () => {
    expect(readJsonBody(Buffer.from('{"name":"café"}'), 'application/json; charset=utf-8', options)).toEqual({
      name: 'café',
    });
    expect(readJsonBody(Buffer.from('\uFEFF{"a":[1]}'), 'application/json', options)).toEqual({ a: [1] });
  });

  it.each([['utf-16'], ['iso-8859-1'], ['us-ascii'], ['']])('refuses charset=%s with 415', (charset) => {
    const error = refusal('{"a":1}', `application/json; charset=${charset}`);
    expect(error).toMatchObject({ code: 'request.unsupported-media-type', status: 415 });
  });

  it.each([
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]), undefined],
    ['an empty body', '', undefined],
    ['broken JSON', '{"a":', undefined],
    ['nesting deeper than allowed', '{"a":[[[[1]]]]}', 'too-deep'],
    ['a duplicate key', '{"a":1,"b":{"c":1,"c":1}}', 'duplicate-key'],
  ])('refuses %s with 400 request.malformed', (_what, raw, reason) => {
    const error = refusal(raw);
    expect(error).toMatchObject({ code: 'request.malformed', status: 400 });
    expect(error.details?.['reason']).toBe(reason);
  });
});
