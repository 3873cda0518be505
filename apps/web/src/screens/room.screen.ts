import { MediaSession, type MediaStreamLike, type RoomSession, type RoomSessionEvents } from '@hoot/sdk';
import type { AppContext, Screen } from '../app-context';
import { describeError, type HumanError } from '../lib/error-messages';
import { devicePreferences } from '../lib/device-preferences';
import { inviteLink, type DeviceChoice } from '../lib/media-signals';
import {
  gridColumns,
  mobileColumns,
  roomModel,
  type RoomModel,
  type TileModel,
} from '../lib/room-view-model';
import type { Route } from '../lib/routes';
import { displayNameOf } from '../lib/token-claims';
import { installDebug } from '../debug';
import { append, copyText, h, replace } from '../ui/dom';
import { confirmAction } from '../ui/confirm';
import { deviceSettingsPanel } from '../ui/device-settings';
import { icon } from '../ui/icons';
import { MediaMonitor, type MediaSignals } from '../ui/media-monitor';
import { prejoinPanel, type PrejoinChoice } from './prejoin';
import { connectRoom } from './room-connect';

interface ScreenView {
  root: HTMLElement;
  video: HTMLVideoElement;
  caption: HTMLElement;
  stream?: MediaStreamLike;
}

interface TileView {
  root: HTMLElement;
  video: HTMLVideoElement;
  stream?: MediaStreamLike;
  /** The tile model last drawn: the overlay is rebuilt only when it changes. */
  drawn?: string;
}

/**
 * The room: first the pre-join panel (preview, device pickers, join muted), then a responsive grid of tiles (ours and everyone else's), controls (mute, camera, raise hand,
 * leave, end), the owner's publish requests, chat (the room object's children), and banners for
 * everything that ends or interrupts the room.
 */
export function roomScreen(ctx: AppContext, route: Extract<Route, { name: 'room' }>): Screen {
  ctx.setPageTitle(route.conferenceId);
  const status = h(
    'span',
    { class: 'pill pill-connecting', 'data-testid': 'room-status', 'data-state': 'connecting' },
    'Not joined yet',
  );
  const title = h('h1', { class: 'room-title' }, route.conferenceId);
  const typeBadge = h('span', { class: 'badge' });
  const addressCode = h(
    'code',
    { class: 'address small', 'data-testid': 'room-address' },
    route.address ?? '',
  );
  const counts = h('span', { class: 'muted small', 'data-testid': 'room-counts' });
  const invite = h('code', { class: 'address small invite', 'data-testid': 'invite-link' });
  const people = h('ul', { class: 'people-list', 'data-testid': 'participant-list' });
  /** People removed from this page (identity → name): the owner may let them back in. */
  const removed = new Map<string, string>();
  const removedList = h('ul', {
    class: 'people-list removed-list',
    'data-testid': 'removed-list',
    hidden: true,
  });
  const prejoinHost = h('div', { class: 'prejoin-host' });
  const grid = h('div', { class: 'video-grid', 'data-testid': 'video-grid' });
  /** Shared screens, large, above the tiles. */
  const screenStage = h('div', { class: 'screen-stage', 'data-testid': 'screen-stage', hidden: true });
  const requests = h('div', { class: 'requests', 'data-testid': 'publish-requests' });
  const banner = h('div', { class: 'banner', hidden: true, role: 'alert', 'data-testid': 'room-banner' });
  const chatList = h('ol', { class: 'chat-list', 'data-testid': 'chat-list' });
  const chatInput = h('input', {
    class: 'chat-input',
    placeholder: 'Message everyone',
    maxlength: 2000,
    'data-testid': 'chat-input',
    'aria-label': 'Message',
  });
  const controls = h('div', { class: 'controls', 'data-testid': 'room-controls' });
  const settings = deviceSettingsPanel(
    {
      media: () => media,
      roomType: () => session?.room.type,
      publishing: () => model?.me?.role === 'publisher',
    },
    devicePreferences(),
    () => render(),
  );

  const root = h(
    'section',
    { class: 'screen screen-room', 'data-testid': 'screen-room', 'data-conference-id': route.conferenceId },
    h(
      'div',
      { class: 'room-head' },
      h(
        'div',
        { class: 'room-head-main' },
        h('div', { class: 'room-title-row' }, title, typeBadge, status),
        h('div', { class: 'room-sub' }, addressCode, copyAddressButton(), counts),
        h('div', { class: 'room-sub invite-row' }, icon('link'), invite, copyInviteButton()),
      ),
    ),
    banner,
    prejoinHost,
    h(
      'div',
      { class: 'room-body', hidden: true },
      h('div', { class: 'stage' }, requests, screenStage, grid, controls, settings.element),
      h(
        'aside',
        { class: 'side' },
        h(
          'details',
          { class: 'people card', open: true, 'data-testid': 'people' },
          h('summary', {}, h('h2', {}, icon('users'), 'People ', h('span', { class: 'muted people-count' }))),
          people,
          removedList,
        ),
        h(
          'section',
          { class: 'chat card', 'data-testid': 'chat' },
          h('h2', {}, icon('chat'), 'Chat'),
          chatList,
          h(
            'form',
            {
              class: 'chat-form',
              onsubmit: (event: Event) => {
                event.preventDefault();
                const text = chatInput.value.trim();
                if (!text || !session) return;
                chatInput.value = '';
                session.chat(text).catch((error: unknown) => ctx.toasts.error(error));
              },
            },
            chatInput,
            h(
              'button',
              {
                class: 'icon-button primary',
                type: 'submit',
                'aria-label': 'Send',
                'data-testid': 'chat-send',
              },
              icon('send'),
            ),
          ),
        ),
      ),
    ),
  );

  const tiles = new Map<string, TileView>();
  const remoteStreams = new Map<string, MediaStreamLike>();
  let localStream: MediaStreamLike | undefined;
  const screenViews = new Map<string, ScreenView>();
  const remoteScreens = new Map<string, MediaStreamLike>();
  let localScreen: MediaStreamLike | undefined;
  /** A share being started (the browser's picker is open): the control waits. */
  let screenStarting = false;
  let session: RoomSession | undefined;
  let media: MediaSession | undefined;
  let model: RoomModel | undefined;
  let over = false;
  let micOn = true;
  let cameraOn = true;
  let devices: DeviceChoice = {};
  let signals: MediaSignals = { silent: new Set(), dark: new Set() };
  const monitor = new MediaMonitor((next) => {
    signals = next;
    render();
  });
  const detach: Array<() => void> = [];
  let soundBlocked = false;
  const drawnParts = new Map<string, string>();

  invite.textContent = inviteLink(location.origin, route.conferenceId, route.address);
  const prejoin = prejoinPanel(ctx, route.conferenceId, (choice) => {
    prejoinHost.remove();
    (root.querySelector('.room-body') as HTMLElement).hidden = false;
    void start(choice);
  });
  prejoinHost.append(prejoin.element);
  root.setAttribute('data-phase', 'prejoin');

  async function start(choice: PrejoinChoice): Promise<void> {
    micOn = choice.micOn;
    cameraOn = choice.cameraOn;
    devices = choice.devices;
    root.setAttribute('data-phase', 'room');
    setStatus('connecting', 'Connecting…');
    try {
      const displayName = displayNameOf(ctx.user(), '');
      const joined = await connectRoom(ctx, route, displayName || undefined);
      if (over) {
        void joined.leave().catch(() => undefined);
        return;
      }
      session = joined;
      if (joined.address) {
        addressCode.textContent = joined.address;
        invite.textContent = inviteLink(location.origin, route.conferenceId, joined.address);
      }
      setStatus('live', 'Live');
      listen('change', () => render());
      listen('publish-request', (e) => {
        const who = e.participant?.displayName;
        ctx.toasts.info('Request to speak', `${who ?? 'A viewer'} raised a hand.`, 'publish-request');
        render();
      });
      listen('kicked', () => finish(describeError('room.kicked')));
      listen('ended', () => finish(describeError('room.ended')));
      listen('reconnecting', () => setStatus('reconnecting', 'Reconnecting…'));
      listen('reconnected', (e) => {
        // The conference may have moved to another CoreMX (a new address).
        addressCode.textContent = e.address;
        setStatus('live', 'Live');
        render();
      });
      listen('error', (error) => {
        const human = describeError(error);
        if (human.leavesRoom) finish(human);
        else ctx.toasts.error(error);
      });
      listen('closed', ({ reason }) => {
        if (reason === 'failed') finish(describeError('room.connection-lost'));
      });
      media = new MediaSession(joined, { devices: sdkDevices(devices) });
      media.on('local-stream', ({ stream }) => {
        localStream = stream;
        // Joined muted (pre-join choice) or muted since: a new local stream starts as chosen.
        media?.setEnabled('audio', micOn);
        media?.setEnabled('video', cameraOn);
        render();
        settings.refresh();
      });
      media.on('device-change', ({ kind, reason }) => {
        const noun = kind === 'video' ? 'camera' : 'microphone';
        if (reason === 'unplugged')
          ctx.toasts.info(
            `Your ${noun} was disconnected`,
            `hoot switched to the default ${noun}.`,
            'web.device-unplugged',
          );
        if (reason === 'missing')
          ctx.toasts.info(
            `Your ${noun} is not connected`,
            `hoot uses the default ${noun} instead.`,
            'web.device-missing',
          );
        settings.refresh();
      });
      media.on('local-stream-removed', () => {
        localStream = undefined;
        render();
      });
      media.on('remote-stream', ({ participantId, stream }) => {
        remoteStreams.set(participantId, stream);
        render();
      });
      media.on('remote-stream-removed', ({ participantId }) => {
        remoteStreams.delete(participantId);
        render();
      });
      media.on('local-screen', ({ stream }) => {
        localScreen = stream;
        render();
      });
      media.on('local-screen-removed', () => {
        localScreen = undefined;
        render();
      });
      media.on('remote-screen', ({ participantId, stream }) => {
        remoteScreens.set(participantId, stream);
        render();
      });
      media.on('remote-screen-removed', ({ participantId }) => {
        remoteScreens.delete(participantId);
        render();
      });
      media.on('error', ({ error }) => {
        const human = describeError(error);
        if (human.code !== 'STREAM_NOT_READY' && human.code !== 'sdk.signaling-closed')
          ctx.toasts.error(error);
      });
      installDebug(media);
      render();
      await media.start();
    } catch (error) {
      finish(describeError(error));
    }
  }

  /** The camera and microphone picked before joining, as the SDK takes them (the SDK opens them). */
  function sdkDevices(choice: DeviceChoice): { audio?: string; video?: string } {
    return {
      ...(choice.microphoneId ? { audio: choice.microphoneId } : {}),
      ...(choice.cameraId ? { video: choice.cameraId } : {}),
    };
  }

  function listen<K extends keyof RoomSessionEvents>(
    event: K,
    listener: (payload: RoomSessionEvents[K]) => void,
  ): void {
    if (session) detach.push(session.on(event, listener));
  }

  function setStatus(state: string, text: string): void {
    status.setAttribute('data-state', state);
    status.className = `pill pill-${state}`;
    status.textContent = text;
  }

  function render(): void {
    if (!session || over) return;
    model = roomModel(session.room, session.participantId, undefined, {
      canShareScreen: typeof navigator.mediaDevices?.getDisplayMedia === 'function',
    });
    title.textContent = model.title;
    typeBadge.textContent = model.typeTitle;
    typeBadge.className = `badge badge-${model.type}`;
    counts.textContent = `${model.counts.publishers}/${model.counts.maxPublishers} speaking · ${model.counts.viewers} watching`;
    renderTiles(model);
    renderScreens(model);
    renderRequests(model);
    renderControls(model);
    renderChat(model);
    renderPeople(model);
    renderRemoved(model);
  }

  function renderTiles(m: RoomModel): void {
    const seen = new Set<string>();
    m.tiles.forEach((tile, index) => {
      seen.add(tile.participantId);
      let view = tiles.get(tile.participantId);
      if (!view) {
        view = makeTile(tile.participantId);
        tiles.set(tile.participantId, view);
        grid.appendChild(view.root);
      }
      updateTile(view, tile, index);
    });
    for (const [id, view] of tiles) {
      if (seen.has(id)) continue;
      monitor.unfollow(id);
      view.video.srcObject = null;
      view.root.remove();
      tiles.delete(id);
    }
    grid.style.setProperty('--columns', String(gridColumns(m.tiles.length)));
    grid.style.setProperty('--mobile-columns', String(mobileColumns(m.tiles.length)));
  }

  /** The shared screens on the stage, large, each with its sharer's name; hidden when nobody shares. */
  function renderScreens(m: RoomModel): void {
    const seen = new Set<string>();
    for (const screen of m.screens) {
      seen.add(screen.participantId);
      let view = screenViews.get(screen.participantId);
      if (!view) {
        const video = h('video', {
          autoplay: true,
          playsinline: true,
          muted: true,
          'data-testid': 'screen-video',
        });
        video.muted = true;
        const caption = h('figcaption', { class: 'screen-caption', 'data-testid': 'screen-caption' });
        const root = h(
          'figure',
          {
            class: 'screen-share',
            'data-testid': 'screen-share',
            'data-participant-id': screen.participantId,
          },
          video,
          caption,
        );
        view = { root, video, caption };
        screenViews.set(screen.participantId, view);
        screenStage.appendChild(view.root);
      }
      view.caption.replaceChildren(icon('screen'), screen.caption);
      view.root.setAttribute('data-me', String(screen.isMe));
      const stream = screen.isMe ? localScreen : remoteScreens.get(screen.participantId);
      if (view.stream !== stream) {
        view.stream = stream;
        view.video.srcObject = (stream as MediaStream | undefined) ?? null;
        // Video only and muted: it may always play on its own.
        if (stream) void view.video.play().catch(() => undefined);
      }
      view.root.classList.toggle('has-video', !!stream);
    }
    for (const [id, view] of screenViews) {
      if (seen.has(id)) continue;
      view.video.srcObject = null;
      view.root.remove();
      screenViews.delete(id);
    }
    screenStage.hidden = m.screens.length === 0;
    screenStage.parentElement?.classList.toggle('has-screen', m.screens.length > 0);
  }

  async function toggleScreenShare(sharing: boolean): Promise<void> {
    if (!media) return;
    if (sharing) {
      await media.stopScreenShare();
      return;
    }
    screenStarting = true;
    render();
    try {
      await media.startScreenShare();
    } catch (error) {
      ctx.toasts.error(error);
    } finally {
      screenStarting = false;
      render();
    }
  }

  function makeTile(participantId: string): TileView {
    const video = h('video', { autoplay: true, playsinline: true, 'data-testid': 'tile-video' });
    const root = h(
      'article',
      { class: 'tile', 'data-testid': 'tile', 'data-participant-id': participantId },
      video,
    );
    return { root, video };
  }

  function updateTile(view: TileView, tile: TileModel, index: number): void {
    const { root, video } = view;
    root.style.order = String(index);
    root.setAttribute('data-role', tile.role);
    root.setAttribute('data-owner', String(tile.isOwner));
    root.setAttribute('data-me', String(tile.isMe));
    root.setAttribute('data-hand', String(tile.handRaised));
    const stream = tile.isMe ? localStream : remoteStreams.get(tile.participantId);
    if (view.stream !== stream) {
      view.stream = stream;
      video.srcObject = (stream as MediaStream | undefined) ?? null;
      video.muted = tile.isMe;
      if (stream) void video.play().catch(() => tile.isMe || playMuted(video));
    }
    monitor.follow(tile.participantId, stream as MediaStream | undefined, video);
    const cameraOff = tile.isMe ? !cameraOn : signals.dark.has(tile.participantId);
    const hasVideo = !!stream && stream.getTracks().some((t) => t.kind === 'video') && !cameraOff;
    const muted = isMuted(tile);
    const speaking = signals.activeSpeaker === tile.participantId && !muted;
    root.classList.toggle('has-video', hasVideo);
    root.setAttribute('data-video', String(hasVideo));
    root.setAttribute('data-muted', String(muted));
    root.setAttribute('data-speaking', String(speaking));
    root.classList.toggle('speaking', speaking);
    root.classList.toggle('speaking-role', tile.role === 'publisher');
    // Everything but the video element is rebuilt when the tile changes (keeps playback going, and
    // buttons stay put while nothing about the participant changed).
    const drawn = JSON.stringify([tile, muted]);
    if (view.drawn === drawn) return;
    view.drawn = drawn;
    for (const el of [...root.children]) if (el !== video) el.remove();
    append(root, [
      h('div', { class: 'tile-avatar', 'aria-hidden': 'true' }, h('span', {}, tile.initials)),
      h(
        'div',
        { class: 'tile-bar' },
        tile.isOwner
          ? h(
              'span',
              { class: 'tile-owner', title: 'Owner', 'data-testid': 'tile-owner' },
              icon('crown', 'Owner'),
            )
          : null,
        h(
          'span',
          { class: 'tile-name', 'data-testid': 'tile-name' },
          tile.displayName,
          tile.isMe ? h('span', { class: 'muted' }, ' (you)') : null,
        ),
        h('span', { class: `role role-${tile.role}`, 'data-testid': 'tile-role' }, tile.roleLabel),
        tile.handRaised
          ? h(
              'span',
              { class: 'tile-hand', title: 'Hand raised', 'data-testid': 'tile-hand' },
              icon('hand', 'Hand raised'),
            )
          : null,
        tile.audioOnly && tile.live && !muted
          ? h('span', { class: 'tile-audio', title: 'Audio only' }, icon('mic', 'Audio only'))
          : null,
        muted
          ? h(
              'span',
              { class: 'tile-muted', title: 'Microphone off', 'data-testid': 'tile-muted' },
              icon('micOff', 'Microphone off'),
            )
          : null,
      ),
      tile.canKick
        ? h(
            'button',
            {
              class: 'tile-kick icon-button',
              title: `Remove ${tile.displayName}`,
              'aria-label': `Remove ${tile.displayName}`,
              'data-testid': 'kick',
              'data-participant-id': tile.participantId,
              onclick: () => void removePerson(tile),
            },
            icon('kick'),
          )
        : null,
    ]);
  }

  /**
   * Whether a publisher's microphone is off: ours as we set it, another's when its audio is digital
   * silence (a muted track; the room object carries no mute state). Viewers send nothing: not "muted".
   */
  function isMuted(tile: TileModel): boolean {
    if (!tile.live) return false;
    return tile.isMe ? !micOn : signals.silent.has(tile.participantId);
  }

  /** Removes someone after asking; remembers them so the owner can let them back in. */
  async function removePerson(tile: TileModel): Promise<void> {
    const sure = await confirmAction({
      title: `Remove ${tile.displayName}?`,
      message: `${tile.displayName} leaves the room and cannot come back until the owner lets them in again.`,
      confirmLabel: 'Remove',
    });
    if (!sure || !session) return;
    const identity = session.room.participants[tile.participantId]?.identity;
    try {
      await session.kick(tile.participantId);
      if (identity) removed.set(identity, tile.displayName);
      ctx.toasts.info('Removed', `${tile.displayName} was removed.`);
      render();
    } catch (error) {
      ctx.toasts.error(error);
    }
  }

  /** The owner's list of people removed from this page, each with "Let back in" (`unban`). */
  function renderRemoved(m: RoomModel): void {
    const rows = m.isOwner ? [...removed] : [];
    if (unchanged('removed', rows)) return;
    removedList.hidden = rows.length === 0;
    replace(
      removedList,
      rows.length > 0 ? h('li', { class: 'muted small removed-title' }, 'Removed') : null,
      rows.map(([identity, name]) =>
        h(
          'li',
          { class: 'person removed', 'data-testid': 'removed-person', 'data-identity': identity },
          h('span', { class: 'avatar' }, name.slice(0, 1).toUpperCase()),
          h('span', { class: 'person-main' }, h('span', { class: 'person-name' }, name)),
          h(
            'button',
            {
              class: 'btn btn-ghost btn-small',
              type: 'button',
              'data-testid': 'unban',
              onclick: () =>
                session?.unban(identity).then(
                  () => {
                    removed.delete(identity);
                    ctx.toasts.info('Let back in', `${name} may join again.`);
                    render();
                  },
                  (error: unknown) => ctx.toasts.error(error),
                ),
            },
            'Let back in',
          ),
        ),
      ),
    );
  }

  function renderPeople(m: RoomModel): void {
    const rows = m.tiles.map((t) => ({
      t,
      muted: isMuted(t),
      cameraOff: t.live && !t.audioOnly && (t.isMe ? !cameraOn : signals.dark.has(t.participantId)),
      speaking: signals.activeSpeaker === t.participantId && !isMuted(t),
    }));
    if (unchanged('people', rows)) return;
    const count = root.querySelector('.people-count');
    if (count) count.textContent = String(m.tiles.length);
    replace(
      people,
      rows.map(({ t, muted, cameraOff, speaking }) =>
        h(
          'li',
          {
            class: `person${speaking ? ' speaking' : ''}`,
            'data-testid': 'participant',
            'data-participant-id': t.participantId,
            'data-role': t.role,
            'data-owner': String(t.isOwner),
            'data-hand': String(t.handRaised),
            'data-muted': String(muted),
            'data-speaking': String(speaking),
          },
          h('span', { class: 'avatar' }, t.initials),
          h(
            'span',
            { class: 'person-main' },
            h(
              'span',
              { class: 'person-name' },
              t.displayName,
              t.isMe ? h('span', { class: 'muted' }, ' (you)') : null,
            ),
            h(
              'span',
              { class: 'muted small', 'data-testid': 'participant-role' },
              t.isOwner ? `owner · ${t.roleLabel}` : t.roleLabel,
            ),
          ),
          t.isOwner ? h('span', { class: 'tile-owner', title: 'Owner' }, icon('crown', 'Owner')) : null,
          t.handRaised
            ? h(
                'span',
                { class: 'tile-hand', title: 'Hand raised', 'data-testid': 'participant-hand' },
                icon('hand', 'Hand raised'),
              )
            : null,
          cameraOff
            ? h('span', { class: 'muted', title: 'Camera off' }, icon('cameraOff', 'Camera off'))
            : null,
          t.live
            ? h(
                'span',
                {
                  class: muted ? 'person-muted' : 'muted',
                  title: muted ? 'Microphone off' : 'Microphone on',
                },
                icon(muted ? 'micOff' : 'mic', muted ? 'Microphone off' : 'Microphone on'),
              )
            : null,
        ),
      ),
    );
  }

  /**
   * The browser refused to play sound before any click on the page (autoplay policy, e.g. a join link
   * opened directly): play muted and unmute everyone on the first click.
   */
  function playMuted(video: HTMLVideoElement): void {
    video.muted = true;
    void video.play().catch(() => undefined);
    if (soundBlocked) return;
    soundBlocked = true;
    ctx.toasts.info('Sound is off', 'Click anywhere on the page to hear the others.', 'web.autoplay-blocked');
    document.addEventListener(
      'click',
      () => {
        soundBlocked = false;
        for (const view of tiles.values())
          if (view.root.getAttribute('data-me') !== 'true') view.video.muted = false;
      },
      { once: true },
    );
  }

  /** True when this part was last drawn from the same data (then it is left as is). */
  function unchanged(part: string, data: unknown): boolean {
    const text = JSON.stringify(data);
    if (drawnParts.get(part) === text) return true;
    drawnParts.set(part, text);
    return false;
  }

  function renderRequests(m: RoomModel): void {
    if (unchanged('requests', m.requests)) return;
    replace(
      requests,
      m.requests.map((r) =>
        h(
          'div',
          { class: 'request card', 'data-testid': 'publish-request', 'data-participant-id': r.participantId },
          icon('hand'),
          h('span', { class: 'request-text' }, h('strong', {}, r.displayName), ' asks to speak'),
          h(
            'button',
            {
              class: 'btn btn-small btn-primary',
              'data-testid': 'approve',
              'data-participant-id': r.participantId,
              onclick: () =>
                session?.approve(r.participantId).catch((error: unknown) => ctx.toasts.error(error)),
            },
            icon('check'),
            'Approve',
          ),
          h(
            'button',
            {
              class: 'btn btn-small btn-ghost',
              'data-testid': 'deny',
              'data-participant-id': r.participantId,
              onclick: () =>
                session?.deny(r.participantId).catch((error: unknown) => ctx.toasts.error(error)),
            },
            icon('close'),
            'Deny',
          ),
        ),
      ),
    );
  }

  function renderControls(m: RoomModel): void {
    const settingsOpen = settings.isOpen();
    if (
      unchanged('controls', [
        m.me?.role,
        m.type,
        m.canRaiseHand,
        m.handRaised,
        m.canEnd,
        micOn,
        cameraOn,
        m.screenShare,
        screenStarting,
        settingsOpen,
      ])
    )
      return;
    const share = m.screenShare;
    const iPublish = m.me?.role === 'publisher';
    const hasVideo = m.type !== 'a2m';
    replace(
      controls,
      iPublish
        ? h(
            'button',
            {
              class: `round-button${micOn ? '' : ' off'}`,
              title: micOn ? 'Mute' : 'Unmute',
              'aria-pressed': String(!micOn),
              'data-testid': 'toggle-mic',
              onclick: () => {
                micOn = !micOn;
                media?.setEnabled('audio', micOn);
                render();
              },
            },
            icon(micOn ? 'mic' : 'micOff'),
          )
        : null,
      iPublish && hasVideo
        ? h(
            'button',
            {
              class: `round-button${cameraOn ? '' : ' off'}`,
              title: cameraOn ? 'Turn camera off' : 'Turn camera on',
              'aria-pressed': String(!cameraOn),
              'data-testid': 'toggle-camera',
              onclick: () => {
                cameraOn = !cameraOn;
                media?.setEnabled('video', cameraOn);
                render();
              },
            },
            icon(cameraOn ? 'camera' : 'cameraOff'),
          )
        : null,
      share.visible
        ? h(
            'button',
            {
              class: `btn btn-collapse ${share.sharing ? 'btn-primary' : 'btn-ghost'}`,
              'data-testid': share.sharing ? 'stop-screen-share' : 'share-screen',
              'aria-label': share.sharing ? 'Stop sharing' : 'Share screen',
              'aria-pressed': String(share.sharing),
              disabled: !share.enabled || screenStarting,
              title:
                share.reason ??
                (share.sharing ? 'Stop showing your screen' : 'Show your screen to everyone in the room'),
              onclick: () => void toggleScreenShare(share.sharing),
            },
            icon(share.sharing ? 'screenOff' : 'screen'),
            h('span', { class: 'btn-label' }, share.sharing ? 'Stop sharing' : 'Share screen'),
          )
        : null,
      h(
        'button',
        {
          class: `round-button${settingsOpen ? ' active' : ''}`,
          title: 'Camera and microphone settings',
          'aria-label': 'Camera and microphone settings',
          'aria-expanded': String(settingsOpen),
          'data-testid': 'toggle-devices',
          onclick: () => settings.toggle(),
        },
        icon('settings'),
      ),
      m.canRaiseHand
        ? h(
            'button',
            {
              class: `btn ${m.handRaised ? 'btn-primary' : 'btn-ghost'}`,
              'data-testid': m.handRaised ? 'lower-hand' : 'raise-hand',
              onclick: () => {
                const action = m.handRaised ? session?.lowerHand() : session?.raiseHand();
                action?.then(
                  () =>
                    !m.handRaised &&
                    ctx.toasts.info('Hand raised', 'The owner has been asked to let you speak.'),
                  (error: unknown) => ctx.toasts.error(error),
                );
              },
            },
            icon('hand'),
            m.handRaised ? 'Lower hand' : 'Raise hand',
          )
        : null,
      h('span', { class: 'spacer' }),
      m.canEnd
        ? h(
            'button',
            {
              class: 'btn btn-collapse btn-danger-ghost',
              'data-testid': 'end-room',
              'aria-label': 'End for all',
              onclick: async () => {
                const sure = await confirmAction({
                  title: 'End for everyone?',
                  message: 'Everyone is removed from the room and the conference ends for good.',
                  confirmLabel: 'End for all',
                });
                if (!sure) return;
                session?.end().then(
                  () => finish(describeError('room.ended')),
                  (error: unknown) => ctx.toasts.error(error),
                );
              },
            },
            icon('end'),
            h('span', { class: 'btn-label' }, 'End for all'),
          )
        : null,
      h(
        'button',
        {
          class: 'btn btn-danger',
          'data-testid': 'leave',
          onclick: async () => {
            const sure = await confirmAction({
              title: 'Leave the room?',
              message: 'You can join again with the conference address while it goes on.',
              confirmLabel: 'Leave',
            });
            if (sure) leave();
          },
        },
        icon('leave'),
        'Leave',
      ),
    );
  }

  function renderChat(m: RoomModel): void {
    if (unchanged('chat', m.chat)) return;
    const atBottom = chatList.scrollTop + chatList.clientHeight >= chatList.scrollHeight - 8;
    replace(
      chatList,
      m.chat.length === 0
        ? h('li', { class: 'empty' }, 'No messages yet.')
        : m.chat.map((line) =>
            h(
              'li',
              { class: `chat-line${line.mine ? ' mine' : ''}`, 'data-testid': 'chat-message' },
              h('div', { class: 'chat-meta' }, h('strong', {}, line.author), h('time', {}, line.time)),
              h('p', {}, line.text),
            ),
          ),
    );
    if (atBottom) chatList.scrollTop = chatList.scrollHeight;
  }

  function copyAddressButton(): HTMLElement {
    return h(
      'button',
      {
        class: 'icon-button',
        title: 'Copy address',
        'aria-label': 'Copy address',
        'data-testid': 'copy-room-address',
        onclick: async () => {
          if (addressCode.textContent && (await copyText(addressCode.textContent)))
            ctx.toasts.success('Address copied');
        },
      },
      icon('copy'),
    );
  }

  function copyInviteButton(): HTMLElement {
    return h(
      'button',
      {
        class: 'btn btn-small',
        title: 'Copy invite link',
        'data-testid': 'copy-invite',
        onclick: async () => {
          if (invite.textContent && (await copyText(invite.textContent)))
            ctx.toasts.success('Invite link copied', 'Anyone invited can open it to join.');
        },
      },
      icon('copy'),
      'Copy invite link',
    );
  }

  function leave(): void {
    void session?.leave().catch(() => undefined);
    teardown();
    ctx.navigate('/');
  }

  /** The room is over for us: show why, with a way back (and a retry when it may work later). */
  function finish(human: HumanError): void {
    if (over) return;
    teardown();
    setStatus('over', 'Disconnected');
    banner.setAttribute('data-code', human.code);
    replace(
      banner,
      icon('alert'),
      h('div', { class: 'banner-body' }, h('strong', {}, human.title), h('span', {}, human.message)),
      human.retryable
        ? h(
            'button',
            {
              class: 'btn btn-small',
              'data-testid': 'banner-retry',
              onclick: () => ctx.navigate(location.pathname + location.hash, { replace: true }),
            },
            icon('refresh'),
            'Try again',
          )
        : null,
      human.signInAgain
        ? h(
            'button',
            {
              class: 'btn btn-small',
              'data-testid': 'banner-sign-in',
              onclick: () => ctx.sessionExpired(human.code),
            },
            'Sign in again',
          )
        : null,
      h(
        'button',
        {
          class: 'btn btn-small btn-primary',
          'data-testid': 'banner-home',
          onclick: () => ctx.navigate('/'),
        },
        'Back to home',
      ),
    );
    banner.hidden = false;
    root.classList.add('is-over');
  }

  function teardown(): void {
    over = true;
    prejoin.dispose();
    settings.dispose();
    settings.element.hidden = true;
    monitor.close();
    for (const off of detach.splice(0)) off();
    media?.close();
    media = undefined;
    installDebug(undefined);
    for (const view of tiles.values()) view.video.srcObject = null;
    for (const view of screenViews.values()) view.video.srcObject = null;
  }

  return {
    element: root,
    dispose() {
      if (!over) {
        void session?.leave().catch(() => undefined);
        teardown();
      }
    },
  };
}
