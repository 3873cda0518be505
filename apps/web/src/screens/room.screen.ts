import {
  MediaSession,
  type HlsStreamAccess,
  type MediaStreamLike,
  type RoomSession,
  type RoomSessionEvents,
} from '@hoot/sdk';
import type { AppContext, Screen } from '../app-context';
import { describeError, type HumanError } from '../lib/error-messages';
import { devicePreferences } from '../lib/device-preferences';
import { inviteLink, type DeviceChoice } from '../lib/media-signals';
import { roomModel, type RoomModel } from '../lib/room-view-model';
import type { Route } from '../lib/routes';
import { displayNameOf } from '../lib/token-claims';
import { installDebug } from '../debug';
import { copyText, h } from '../ui/dom';
import { deviceSettingsPanel } from '../ui/device-settings';
import { icon } from '../ui/icons';
import { MediaMonitor, type MediaSignals } from '../ui/media-monitor';
import { prejoinPanel, type PrejoinChoice } from './prejoin';
import { showRoomOver } from './room-banner';
import { chatCard } from './room-chat';
import { roomControls } from './room-controls';
import { connectRoom } from './room-connect';
import { peoplePanel } from './room-people';
import { roomRecording } from './room-recording';
import { publishRequests } from './room-requests';
import { screenStage } from './room-screen-stage';
import { tileGrid } from './room-tiles';

/**
 * The room: first the pre-join panel (preview, device pickers, join muted), then a responsive grid of tiles (ours and everyone else's), controls (mute, camera, raise hand,
 * leave, end), the owner's publish requests, chat (the room object's children), and banners for
 * everything that ends or interrupts the room.
 *
 * This function owns the session, the media and the state they share (our switches, the streams); each
 * part of the page is a unit of its own that draws from the room model: `tileGrid`, `screenStage`,
 * `publishRequests`, `roomControls`, `chatCard`, `peoplePanel`, and `showRoomOver` for the banner.
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
  const prejoinHost = h('div', { class: 'prejoin-host' });
  const banner = h('div', { class: 'banner', hidden: true, role: 'alert', 'data-testid': 'room-banner' });
  const remoteStreams = new Map<string, MediaStreamLike>();
  let localStream: MediaStreamLike | undefined;
  const remoteScreens = new Map<string, MediaStreamLike>();
  let localScreen: MediaStreamLike | undefined;
  /** p2m viewers: the cameras and screens played over LL-HLS instead of WebRTC, by participant id. */
  const remoteHls = new Map<string, HlsStreamAccess>();
  const remoteHlsScreens = new Map<string, HlsStreamAccess>();
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

  const currentSession = () => session;
  const tiles = tileGrid({
    monitor,
    toasts: ctx.toasts,
    onRemove: (tile) => people.remove(tile),
    onHlsError: (error) => ctx.toasts.error(error),
  });
  const stage = screenStage((error) => ctx.toasts.error(error));
  const recording = roomRecording(ctx, route.conferenceId);
  const requests = publishRequests({ session: currentSession, toasts: ctx.toasts });
  const chat = chatCard({ session: currentSession, toasts: ctx.toasts });
  const people = peoplePanel({ session: currentSession, toasts: ctx.toasts, rerender: () => render() });
  const controls = roomControls({
    session: currentSession,
    toasts: ctx.toasts,
    toggleMic: () => {
      micOn = !micOn;
      media?.setEnabled('audio', micOn);
      render();
    },
    toggleCamera: () => {
      cameraOn = !cameraOn;
      media?.setEnabled('video', cameraOn);
      render();
    },
    toggleScreenShare,
    toggleSettings: () => settings.toggle(),
    ended: () => finish(describeError('room.ended')),
    leave,
  });
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
        h(
          'div',
          { class: 'room-title-row' },
          title,
          typeBadge,
          status,
          recording.indicator,
          recording.button,
        ),
        h('div', { class: 'room-sub' }, addressCode, copyAddressButton(), counts),
        h('div', { class: 'room-sub invite-row' }, icon('link'), invite, copyInviteButton()),
      ),
    ),
    banner,
    prejoinHost,
    h(
      'div',
      { class: 'room-body', hidden: true },
      h(
        'div',
        { class: 'stage' },
        requests.element,
        stage.element,
        tiles.element,
        controls.element,
        settings.element,
      ),
      h('aside', { class: 'side' }, people.element, recording.panel, chat.element),
    ),
  );

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
      listen('recording-started', () => render());
      listen('recording-stopped', () => render());
      detach.push(recording.attach(joined));
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
      media.on('remote-hls', ({ participantId, stream, access }) => {
        (stream === 'screen' ? remoteHlsScreens : remoteHls).set(participantId, access);
        render();
      });
      media.on('remote-hls-ended', ({ participantId, stream, streamId }) => {
        const map = stream === 'screen' ? remoteHlsScreens : remoteHls;
        if (map.get(participantId)?.streamId === streamId) map.delete(participantId);
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
    tiles.render(model, { micOn, cameraOn, signals, localStream, remoteStreams, remoteHls });
    stage.render(model, localScreen, remoteScreens, remoteHlsScreens);
    recording.render(model);
    requests.render(model);
    controls.render(model, { micOn, cameraOn, screenStarting, settingsOpen: settings.isOpen() });
    chat.render(model);
    people.render(model, { micOn, cameraOn }, signals);
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
    showRoomOver(banner, human, ctx);
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
    tiles.clear();
    stage.clear();
    recording.dispose();
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
