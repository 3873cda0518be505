import { answerDirection, parseSdp, stripCandidates } from './sdp';

describe('sdp helpers', () => {
  it.each([
    ['sendrecv', 'sendrecv', 'sendrecv'],
    ['recvonly', 'sendrecv', 'sendonly'],
    ['sendonly', 'sendrecv', 'recvonly'],
    ['inactive', 'sendrecv', 'inactive'],
    ['sendrecv', 'recvonly', 'recvonly'],
    ['sendrecv', 'sendonly', 'sendonly'],
    ['recvonly', 'recvonly', 'inactive'],
  ] as const)('answers %s with constraint %s as %s', (offered, constraint, expected) => {
    expect(answerDirection(offered, constraint)).toBe(expected);
  });

  it('rejects text that is not SDP with 40201', () => {
    expect(() => parseSdp('hello')).toThrow(expect.objectContaining({ code: 40201 }));
    expect(() => parseSdp('v=0\r\ns=-\r\n')).toThrow(expect.objectContaining({ code: 40201 }));
  });

  it('strips candidates and end-of-candidates', () => {
    const sdp =
      'v=0\r\nm=audio 9 X 0\r\na=candidate:1 1 udp 1 10.0.0.1 1 typ host\r\na=end-of-candidates\r\na=mid:0\r\n';
    expect(stripCandidates(sdp)).toBe('v=0\r\nm=audio 9 X 0\r\na=mid:0\r\n');
  });
});
