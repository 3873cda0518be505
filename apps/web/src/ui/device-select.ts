import type { DeviceOption } from '../lib/media-signals';
import { h, replace } from './dom';

/**
 * Fills a camera or microphone `<select>` (pre-join screen and room settings): one entry per device, the
 * `selected` one chosen, and a single disabled "No camera" entry when there is none.
 */
export function fillDeviceSelect(
  select: HTMLSelectElement,
  options: readonly DeviceOption[],
  selected: string | undefined,
  none: string,
  disabled = false,
): void {
  replace(
    select,
    options.length === 0
      ? h('option', { value: '' }, none)
      : options.map((o) => h('option', { value: o.id, selected: o.id === selected }, o.label)),
  );
  if (selected !== undefined && options.some((o) => o.id === selected)) select.value = selected;
  select.disabled = disabled || options.length === 0;
}
