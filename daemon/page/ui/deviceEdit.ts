import { html } from './html.js';
import type { T } from './i18n.js';
import type { DeviceView } from './types.js';

/**
 * HOOK: rename, aliases, area and floor. Another engineer is adding `voicehub devices set` and
 * `PATCH /api/devices/:id` (the same overrides). When that lands, this becomes a small form that sends
 * `PATCH /api/devices/${id}` with `{ name, aliases, area }` and shows the hub's error inline; the device
 * feed then pushes the renamed device like any other change. Until then it only says so.
 */
export function DeviceEdit({ device, t }: { device: DeviceView; t: T }): unknown {
  return html`<details class="edit"><summary>${t('rename')}</summary><p>${t('renameSoon')}</p>
    <p class="muted">${device.aliases.length > 0 ? device.aliases.join(', ') : ''}</p></details>`;
}
