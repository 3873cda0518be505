import {
  GossipErrorCode,
  MembershipErrorCode,
  WebAssetsErrorCode,
  httpStatusOf,
  isHootErrorCode,
} from '@hoot/contracts';
import type { Identity } from '@hoot/auth-kit';
import { HootException } from '@hoot/service-kit';
import { GossipController } from './gcas/gossip.controller';
import type { RegistryNode } from './gcas/registry-node';
import { MembershipErrorCode as MembershipCodeHere } from './membership/coremx-binding';
import { WEB_NOT_BUILT } from './web/web.controller';

const caller = (name: string): Identity => ({
  subject: name,
  name,
  username: name,
  kind: 'service',
  roles: [],
  tokenId: 't-1',
  audiences: [],
  expiresAt: 0,
  claims: {} as Identity['claims'],
});

/** A registry node that rejects every message it receives (what a malformed gossip message does). */
const rejectingNode = () => {
  const counters = { rejectedMessages: 0 };
  return {
    counters,
    receive: () => {
      counters.rejectedMessages += 1;
      return [];
    },
  } as unknown as RegistryNode;
};

function refusal(act: () => unknown): HootException {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(HootException);
    return error as HootException;
  }
  throw new Error('expected a refusal');
}

describe("the registry's own codes are the catalogue's (@hoot/contracts), with its statuses", () => {
  it('the gossip endpoint refuses with GossipErrorCode codes', () => {
    const controller = new GossipController(rejectingNode());
    const notARegistry = refusal(() => controller.exchange({}, caller('bob')));
    expect([notARegistry.code, notARegistry.status]).toEqual([
      GossipErrorCode.NotARegistry,
      httpStatusOf(GossipErrorCode.NotARegistry),
    ]);
    const invalid = refusal(() => controller.exchange({}, caller('reg-c1-2')));
    expect([invalid.code, invalid.status]).toEqual([
      GossipErrorCode.MessageInvalid,
      httpStatusOf(GossipErrorCode.MessageInvalid),
    ]);
  });

  it('the web app and membership codes are in the catalogue', () => {
    expect(WEB_NOT_BUILT).toBe(WebAssetsErrorCode.NotBuilt);
    expect(httpStatusOf(WebAssetsErrorCode.NotBuilt)).toBe(503);
    expect(MembershipCodeHere).toBe(MembershipErrorCode);
    for (const code of [WEB_NOT_BUILT, ...Object.values(MembershipCodeHere)])
      expect([code, isHootErrorCode(code)]).toEqual([code, true]);
  });
});
