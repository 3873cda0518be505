import type { AppContext } from '../app-context';
import { devicePreferences } from '../lib/device-preferences';
import { deviceOptions, type DeviceChoice } from '../lib/media-signals';
import { displayNameOf } from '../lib/token-claims';
import { fillDeviceSelect } from '../ui/device-select';
import { h, replace } from '../ui/dom';
import { icon } from '../ui/icons';

/** What the pre-join screen hands to the room: the devices chosen and what starts muted. */
export interface PrejoinChoice {
  devices: DeviceChoice;
  micOn: boolean;
  cameraOn: boolean;
}

/**
 * Before joining: a preview of our camera (mirrored) and a level meter of our microphone, pickers for
 * both (`enumerateDevices`), and switches to join with the microphone or camera off. Nobody in the room
 * sees us until Join is pressed. Without a camera or microphone (refused, none) it says so in our words
 * and still lets us join (to watch, or to ask to speak later). The devices picked last time (here or in
 * a room's settings) are picked again; one that is gone gives way to the default.
 */
export function prejoinPanel(
  ctx: AppContext,
  conferenceId: string,
  onJoin: (choice: PrejoinChoice) => void,
): { element: HTMLElement; dispose(): void } {
  const prefs = devicePreferences();
  const choice: PrejoinChoice = { devices: prefs.load(), micOn: true, cameraOn: true };
  let stream: MediaStream | undefined;
  let disposed = false;
  let audio: { context: AudioContext; analyser: AnalyserNode; timer: number } | undefined;

  const video = h('video', {
    autoplay: true,
    playsinline: true,
    muted: true,
    'data-testid': 'prejoin-video',
  });
  video.muted = true;
  const avatar = h(
    'div',
    { class: 'tile-avatar', 'aria-hidden': 'true' },
    h('span', {}, (displayNameOf(ctx.user(), '?')[0] ?? '?').toUpperCase()),
  );
  const preview = h('div', { class: 'tile prejoin-preview', 'data-me': 'true' }, video, avatar);
  const meter = h('div', { class: 'level-meter', 'data-testid': 'prejoin-level', 'aria-hidden': 'true' });
  const meterFill = h('span', {});
  meter.append(meterFill);
  const problem = h('p', {
    class: 'form-problem',
    hidden: true,
    role: 'alert',
    'data-testid': 'prejoin-problem',
  });
  const cameraSelect = h('select', { 'data-testid': 'prejoin-camera', 'aria-label': 'Camera' });
  const micSelect = h('select', { 'data-testid': 'prejoin-mic', 'aria-label': 'Microphone' });
  const micButton = h('button', {
    class: 'round-button',
    type: 'button',
    'data-testid': 'prejoin-toggle-mic',
  });
  const cameraButton = h('button', {
    class: 'round-button',
    type: 'button',
    'data-testid': 'prejoin-toggle-camera',
  });
  const join = h(
    'button',
    { class: 'btn btn-primary btn-block', type: 'button', 'data-testid': 'prejoin-join' },
    icon('enter'),
    'Join now',
  );

  micButton.addEventListener('click', () => {
    choice.micOn = !choice.micOn;
    applyToggles();
  });
  cameraButton.addEventListener('click', () => {
    choice.cameraOn = !choice.cameraOn;
    applyToggles();
  });
  cameraSelect.addEventListener('change', () => {
    choice.devices.cameraId = cameraSelect.value || undefined;
    prefs.save({ cameraId: choice.devices.cameraId });
    void openPreview();
  });
  micSelect.addEventListener('change', () => {
    choice.devices.microphoneId = micSelect.value || undefined;
    prefs.save({ microphoneId: choice.devices.microphoneId });
    void openPreview();
  });
  join.addEventListener('click', () => {
    dispose();
    onJoin({ ...choice, devices: { ...choice.devices } });
  });

  const element = h(
    'div',
    { class: 'prejoin', 'data-testid': 'prejoin' },
    h(
      'div',
      { class: 'prejoin-stage' },
      preview,
      h('div', { class: 'prejoin-toggles' }, micButton, cameraButton),
    ),
    h(
      'div',
      { class: 'card prejoin-card' },
      h('h2', {}, `Ready to join ${conferenceId}?`),
      h('p', { class: 'muted small' }, 'Nobody sees or hears you until you join.'),
      h('label', {}, icon('camera'), 'Camera', cameraSelect),
      h('label', {}, icon('mic'), 'Microphone', micSelect, meter),
      problem,
      join,
    ),
  );
  applyToggles();
  void openPreview();

  function applyToggles(): void {
    micButton.classList.toggle('off', !choice.micOn);
    micButton.setAttribute('aria-pressed', String(!choice.micOn));
    micButton.title = choice.micOn ? 'Join muted' : 'Join with microphone on';
    micButton.setAttribute('data-on', String(choice.micOn));
    replace(micButton, icon(choice.micOn ? 'mic' : 'micOff'));
    cameraButton.classList.toggle('off', !choice.cameraOn);
    cameraButton.setAttribute('aria-pressed', String(!choice.cameraOn));
    cameraButton.title = choice.cameraOn ? 'Join with camera off' : 'Join with camera on';
    cameraButton.setAttribute('data-on', String(choice.cameraOn));
    replace(cameraButton, icon(choice.cameraOn ? 'camera' : 'cameraOff'));
    preview.classList.toggle('has-video', choice.cameraOn && !!stream?.getVideoTracks().length);
    preview.setAttribute('data-video', String(preview.classList.contains('has-video')));
  }

  async function openPreview(): Promise<void> {
    stopPreview();
    const devices = navigator.mediaDevices;
    if (!devices?.getUserMedia) {
      showProblem('This page cannot use a camera or microphone here (it needs a secure https address).');
      return;
    }
    const { cameraId, microphoneId } = choice.devices;
    let next: MediaStream | undefined;
    try {
      next = await devices.getUserMedia({
        audio: microphoneId ? { deviceId: { exact: microphoneId } } : true,
        video: cameraId ? { deviceId: { exact: cameraId } } : true,
      });
    } catch (error) {
      const name = (error as { name?: unknown } | null)?.name;
      if ((cameraId || microphoneId) && (name === 'OverconstrainedError' || name === 'NotFoundError')) {
        // A device picked last time is gone: the defaults (the room's SDK does the same).
        choice.devices = {};
        next = await devices.getUserMedia({ audio: true, video: true }).catch(() => undefined);
      }
      // One of the two may be missing or refused: try each alone before giving up.
      next ??= await devices.getUserMedia({ audio: true }).catch(() => undefined);
      next ??= await devices.getUserMedia({ video: true }).catch(() => undefined);
    }
    if (disposed) {
      next?.getTracks().forEach((t) => t.stop());
      return;
    }
    stream = next;
    if (!stream) {
      showProblem(
        'Your camera and microphone are not available (blocked for this site, or none connected). You can still join and watch.',
      );
    } else {
      problem.hidden = true;
      video.srcObject = stream;
      void video.play().catch(() => undefined);
      startMeter(stream);
    }
    await fillPickers();
    applyToggles();
  }

  async function fillPickers(): Promise<void> {
    const list = await navigator.mediaDevices.enumerateDevices().catch(() => []);
    const { cameras, microphones } = deviceOptions(list);
    const current = (kind: 'audio' | 'video') =>
      stream
        ?.getTracks()
        .find((t) => t.kind === kind)
        ?.getSettings().deviceId;
    fillDeviceSelect(cameraSelect, cameras, choice.devices.cameraId ?? current('video'), 'No camera');
    fillDeviceSelect(
      micSelect,
      microphones,
      choice.devices.microphoneId ?? current('audio'),
      'No microphone',
    );
  }

  function startMeter(media: MediaStream): void {
    if (!media.getAudioTracks().length || typeof AudioContext === 'undefined') return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(media).connect(analyser);
    const data = new Float32Array(analyser.fftSize);
    const timer = window.setInterval(() => {
      analyser.getFloatTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v));
      meterFill.style.width = `${Math.round(Math.min(1, peak * 2) * 100)}%`;
    }, 120);
    audio = { context, analyser, timer };
  }

  function showProblem(text: string): void {
    problem.textContent = text;
    problem.hidden = false;
  }

  function stopPreview(): void {
    stream?.getTracks().forEach((t) => t.stop());
    stream = undefined;
    video.srcObject = null;
    if (audio) {
      window.clearInterval(audio.timer);
      void audio.context.close().catch(() => undefined);
      audio = undefined;
    }
  }

  function dispose(): void {
    disposed = true;
    stopPreview();
  }

  return { element, dispose };
}
