import type { Page } from 'playwright-core';

/** Texts of a browser's own errors: a page that shows any of them showed the user a raw exception. */
export const RAW_BROWSER_TEXT = [
  'setRemoteDescription',
  'signalingState',
  'Failed to execute',
  'Failed to fetch',
  'InvalidStateError',
  'DOMException',
];

/** What the page-side hooks record (`window.__e2e`). */
export interface PageHooks {
  mdnsSent: number;
  malformedSent: number;
  /** Set from the spec: the next `setRemoteDescription` of an answer throws, as Chrome does on a closed connection. */
  failNextAnswer: boolean;
  failedAnswers: number;
  /** Raw browser texts that ever appeared in the page's DOM. */
  rawSeen: string[];
  /** `data-code` of every toast and banner the page ever showed. */
  codesSeen: string[];
  /** `error` messages CASH sent on the page's signaling sockets. */
  errors: { re?: string; code?: string }[];
}

/**
 * Runs in the page before its own scripts, on every load: wraps RTCPeerConnection (extra candidates when
 * `mdns`, a one-time failing `setRemoteDescription` when armed) and WebSocket (keeps the sockets to forge a
 * message and records CASH's errors), and watches the DOM for raw browser texts and shown codes.
 */
export function installPageHooks(options: { mdns: boolean; raw: string[] }): void {
  const state: PageHooks = {
    mdnsSent: 0,
    malformedSent: 0,
    failNextAnswer: false,
    failedAnswers: 0,
    rawSeen: [],
    codesSeen: [],
    errors: [],
  };
  const w = window as unknown as {
    __e2e: PageHooks;
    __e2eSockets: WebSocket[];
    RTCPeerConnection: typeof RTCPeerConnection;
    WebSocket: typeof WebSocket;
  };
  w.__e2e = state;
  w.__e2eSockets = [];

  let scanQueued = false;
  const scan = () => {
    scanQueued = false;
    const text = document.body?.textContent ?? '';
    for (const raw of options.raw)
      if (text.includes(raw) && !state.rawSeen.includes(raw)) state.rawSeen.push(raw);
    document.querySelectorAll('[data-testid="toast"], [data-testid="room-banner"]').forEach((el) => {
      const code = el.getAttribute('data-code');
      if (code && !state.codesSeen.includes(code)) state.codesSeen.push(code);
    });
  };
  const queueScan = () => {
    if (scanQueued) return;
    scanQueued = true;
    setTimeout(scan, 0);
  };
  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver(queueScan).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['data-code', 'hidden'],
    });
    scan();
  });

  const NativePc = w.RTCPeerConnection;
  class HookedPeerConnection extends NativePc {
    override set onicecandidate(handler: ((event: RTCPeerConnectionIceEvent) => void) | null) {
      if (!handler || !options.mdns) {
        super.onicecandidate = handler;
        return;
      }
      let injected = false;
      super.onicecandidate = (event: RTCPeerConnectionIceEvent) => {
        handler.call(this, event);
        if (injected || !event.candidate) return;
        injected = true;
        const { sdpMid, sdpMLineIndex, usernameFragment } = event.candidate;
        const fake = (candidate: string) =>
          ({
            candidate: { candidate, sdpMid, sdpMLineIndex, usernameFragment },
          }) as RTCPeerConnectionIceEvent;
        const mdns = (port: number, protocol: string) =>
          `candidate:${port} 1 ${protocol} 2122260223 ${crypto.randomUUID()}.local ${port} typ host` +
          `${protocol === 'tcp' ? ' tcptype passive' : ''} generation 0 ufrag ${usernameFragment} network-id 1`;
        handler.call(this, fake(mdns(50001, 'udp')));
        state.mdnsSent++;
        // Parseable JSON of the right shape, but no candidate line: the media server refuses it.
        handler.call(this, fake('not-a-candidate 1 udp 1 host'));
        state.malformedSent++;
        // Chrome trickles more mDNS hosts late (another interface, TCP).
        setTimeout(() => {
          if (this.connectionState === 'closed') return;
          handler.call(this, fake(mdns(50002, 'tcp')));
          state.mdnsSent++;
        }, 1_500);
      };
    }

    override get onicecandidate(): ((event: RTCPeerConnectionIceEvent) => void) | null {
      return super.onicecandidate;
    }

    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      if (state.failNextAnswer && description?.type === 'answer') {
        state.failNextAnswer = false;
        state.failedAnswers++;
        return Promise.reject(
          new DOMException(
            "Failed to execute 'setRemoteDescription' on 'RTCPeerConnection': Failed to set remote answer " +
              "sdp: Called in wrong state: stable (signalingState is 'closed')",
            'InvalidStateError',
          ),
        );
      }
      return super.setRemoteDescription(description);
    }
  }
  w.RTCPeerConnection = HookedPeerConnection;

  const NativeWs = w.WebSocket;
  class TappedWebSocket extends NativeWs {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      w.__e2eSockets.push(this);
      this.addEventListener('message', (event: MessageEvent) => {
        try {
          const message = JSON.parse(String(event.data)) as { type?: string; re?: string; code?: string };
          if (message.type === 'error') state.errors.push({ re: message.re, code: message.code });
        } catch {
          // not JSON: not ours to record
        }
      });
    }
  }
  w.WebSocket = TappedWebSocket;
}

export const hooks = (page: Page): Promise<PageHooks> =>
  page.evaluate(() => (window as unknown as { __e2e: PageHooks }).__e2e);

/** Authors of the chat lines shown on a page. */
export const chatAuthors = (page: Page): Promise<string[]> =>
  page.locator('[data-testid="chat-message"] .chat-meta strong').allTextContents();
