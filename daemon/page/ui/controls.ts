import { colourHex, hexToRgb, kelvinOf } from './colour.js';
import { html } from './html.js';
import type { T } from './i18n.js';
import type { DeviceView, SendCommand } from './types.js';

/**
 * The controls that fit a device's kind. Every one sends a command through `POST /api/command`, the same
 * command path as voice (DeviceService.command). `disabled` carries the reason when it may not be used.
 */
export function controlsFor(d: DeviceView, t: T, send: SendCommand, disabled: string | null): unknown {
  const s = d.state;
  const on = s.state === 'on';
  const has = (c: string): boolean => d.capabilities.includes(c);
  const dis = disabled !== null;
  const title = disabled ?? undefined;
  const toggle = html`<button class="toggle" role="switch" aria-checked=${on ? 'true' : 'false'} aria-label=${`${d.name}: ${on ? t('on') : t('off')}`}
    disabled=${dis} title=${title} onClick=${() => send(d, on ? 'turn_off' : 'turn_on')}>${on ? t('on') : t('off')}</button>`;
  const slider = (label: string, value: unknown, command: string, param: string, min = 0, max = 100, step = 1) => html`
    <label class="slider">${label}
      <input type="range" min=${min} max=${max} step=${step} value=${typeof value === 'number' ? value : min} disabled=${dis} title=${title}
        aria-label=${`${d.name}: ${label}`} onChange=${(e: Event) => send(d, command, { [param]: Number((e.target as HTMLInputElement).value) })} />
      <output>${typeof value === 'number' ? value : '–'}</output>
    </label>`;
  const button = (label: string, command: string, confirmText?: string) => html`
    <button disabled=${dis} title=${title} aria-label=${`${d.name}: ${label}`}
      onClick=${() => { if (!confirmText || window.confirm(confirmText)) send(d, command); }}>${label}</button>`;

  switch (d.type) {
    case 'light':
      return html`${toggle}${has('brightness') ? slider(t('brightness'), s.brightness, 'set_brightness', 'brightness') : null}
        ${has('color') ? html`<label class="colour">${t('colour')}
          <input type="color" value=${colourHex(s.color)} disabled=${dis} title=${title} aria-label=${`${d.name}: ${t('colour')}`}
            onChange=${(e: Event) => send(d, 'set_color', { rgb: hexToRgb((e.target as HTMLInputElement).value) })} /></label>` : null}
        ${has('color_temp') ? slider(t('colourTemp'), kelvinOf(s.color_temp), 'set_color_temp', 'kelvin',
          d.limits.minKelvin ?? 2000, d.limits.maxKelvin ?? 6500, 50) : null}`;
    case 'switch':
      return toggle;
    case 'fan':
      return html`${toggle}${has('fan_speed') ? slider(t('speed'), s.percentage, 'set_fan_speed', 'percentage') : null}`;
    case 'cover':
    case 'valve':
      return html`${button(t('open'), 'open')}${button(t('close'), 'close')}${has('stop') ? button(t('stop'), 'stop') : null}
        ${has('position') ? slider(t('position'), s.position, 'set_position', 'position') : null}`;
    case 'lock':
      return s.state === 'locked'
        ? button(t('unlock'), 'unlock', t('confirmUnlock', { name: d.name }))
        : button(t('lock'), 'lock', t('confirmLock', { name: d.name }));
    case 'climate': {
      const min = d.limits.minTemp ?? 7;
      const max = d.limits.maxTemp ?? 35;
      const step = d.limits.tempStep ?? 0.5;
      return html`
        <label class="slider">${t('target')}
          <input type="number" min=${min} max=${max} step=${step} value=${typeof s.target_temperature === 'number' ? s.target_temperature : ''}
            disabled=${dis} title=${title} aria-label=${`${d.name}: ${t('target')}`}
            onChange=${(e: Event) => send(d, 'set_temperature', { temperature: Number((e.target as HTMLInputElement).value) })} />
        </label>
        ${d.limits.modes && d.limits.modes.length > 0 ? html`
          <label>${t('mode')}
            <select disabled=${dis} aria-label=${`${d.name}: ${t('mode')}`} onChange=${(e: Event) => send(d, 'set_hvac_mode', { mode: (e.target as HTMLSelectElement).value })}>
              ${d.limits.modes.map((m) => html`<option value=${m} selected=${s.hvac_mode === m}>${m}</option>`)}
            </select>
          </label>` : null}`;
    }
    case 'scene':
    case 'script':
    case 'button':
      return button(t('activate'), 'turn_on');
    case 'media_player': {
      const playing = s.state === 'playing';
      return html`${has('next_previous') ? button(t('previous'), 'media_previous') : null}
        ${has('play_pause') ? html`<button class="playpause" disabled=${dis} title=${title} aria-label=${`${d.name}: ${playing ? t('pause') : t('play')}`}
          onClick=${() => send(d, playing ? 'media_pause' : 'media_play')}>${playing ? t('pause') : t('play')}</button>` : null}
        ${has('next_previous') ? button(t('next'), 'media_next') : null}
        ${has('mute') ? html`${button(t('mute'), 'volume_mute')}${button(t('unmute'), 'volume_unmute')}` : null}
        ${has('volume') ? slider(t('volume'), s.volume, 'volume_set', 'volume') : null}`;
    }
    case 'vacuum':
      return html`${has('start') ? button(t('start'), 'start') : null}${has('pause') ? button(t('pause'), 'pause') : null}
        ${has('stop') ? button(t('stop'), 'stop') : null}${has('return_home') ? button(t('returnHome'), 'return_to_base') : null}`;
    default:
      return null; // sensors: read only
  }
}

/** One line of state: "on · 40 %", "21.5 °C", "locked". */
export function stateText(d: DeviceView): string {
  const s = d.state;
  const parts: string[] = [];
  if (s.state !== undefined) parts.push(String(s.state));
  if (typeof s.brightness === 'number') parts.push(`${s.brightness} %`);
  if (typeof s.position === 'number') parts.push(`${s.position} %`);
  if (typeof s.percentage === 'number') parts.push(`${s.percentage} %`);
  if (s.value !== undefined) parts.push(`${String(s.value)}${d.limits.unit ? ` ${d.limits.unit}` : ''}`);
  if (typeof s.current_temperature === 'number') parts.push(`${s.current_temperature} °C`);
  if (typeof s.target_temperature === 'number') parts.push(`→ ${s.target_temperature} °C`);
  if (typeof s.hvac_mode === 'string') parts.push(s.hvac_mode);
  const kelvin = kelvinOf(s.color_temp);
  if (kelvin !== null) parts.push(`${kelvin} K`);
  if (typeof s.volume === 'number') parts.push(`🔊 ${s.volume} %`);
  if (typeof s.media_title === 'string') parts.push(typeof s.media_artist === 'string' ? `${s.media_title} – ${s.media_artist}` : s.media_title);
  return parts.join(' · ').slice(0, 120);
}

