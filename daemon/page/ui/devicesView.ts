import { Component, type ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { html } from './html.js';
import type { T } from './i18n.js';
import { controlsFor, stateText } from './controls.js';
import { DeviceEdit } from './deviceEdit.js';
import type { DeviceView, SendCommand } from './types.js';

interface CardProps {
  device: DeviceView;
  error: string | null;
  t: T;
  canControl: boolean;
  send: SendCommand;
}

/**
 * One device. Re-rendered only when its own object or error changes: the feed replaces only the devices
 * that changed, so a state update of one device among 500 touches one card. Cards off screen are skipped by
 * the browser's layout and paint (`content-visibility: auto` in page.css).
 */
class DeviceCard extends Component<CardProps> {
  override shouldComponentUpdate(next: CardProps): boolean {
    const p = this.props;
    return next.device !== p.device || next.error !== p.error || next.t !== p.t || next.canControl !== p.canControl;
  }

  override render({ device: d, error, t, canControl, send }: CardProps): ComponentChildren {
    const unavailable = d.available === false;
    const reason = unavailable ? t('unavailableReason') : canControl ? null : t('noControl');
    return html`
      <article class=${`device${unavailable ? ' offline' : ''}`} aria-label=${d.name} data-device=${d.id}>
        <header>
          <h4 class="name">${d.name}</h4>
          <span class="kind">${d.type}</span>
        </header>
        <p class="state" aria-live="polite">${stateText(d)}${unavailable ? html` <strong class="badge">${t('unavailable')}</strong>` : null}</p>
        <div class="controls">${controlsFor(d, t, send, reason)}</div>
        ${reason && unavailable ? html`<p class="reason">${reason}</p>` : null}
        ${error ? html`<p class="error" role="alert">${error}</p>` : null}
        <${DeviceEdit} device=${d} t=${t} />
      </article>`;
  }
}

type Groups = Array<{ floor: string; areas: Array<{ area: string; ids: string[] }> }>;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Floors, then areas, then devices, each by name; devices with no floor or area go last. Only ids: the
 * grouping is redone when a device comes, goes or is renamed or moved (`layout`), not at each state change.
 */
function group(devices: Iterable<DeviceView>, t: T): Groups {
  const floors = new Map<string, Map<string, DeviceView[]>>();
  for (const d of devices) {
    const floor = d.floor ?? '';
    const area = d.area ?? '';
    let areas = floors.get(floor);
    if (!areas) floors.set(floor, areas = new Map());
    let list = areas.get(area);
    if (!list) areas.set(area, list = []);
    list.push(d);
  }
  const byName = (a: string, b: string): number => (a === '' ? 1 : b === '' ? -1 : collator.compare(a, b));
  return [...floors.keys()].sort(byName).map((floor) => ({
    floor: floor || t('otherFloor'),
    areas: [...floors.get(floor)!.keys()].sort(byName).map((area) => ({
      area: area || t('noArea'),
      ids: floors.get(floor)!.get(area)!.sort((a, b) => collator.compare(a.name, b.name)).map((d) => d.id),
    })),
  }));
}

export function DevicesView({ devices, layout, errors, t, canControl, send }: {
  devices: Map<string, DeviceView>; layout: number; errors: Map<string, string>; t: T; canControl: boolean; send: SendCommand;
}): unknown {
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const groups = useMemo(() => {
    const list = [...devices.values()].filter((d) => !q || d.name.toLowerCase().includes(q) || d.aliases.some((a) => a.toLowerCase().includes(q)));
    return group(list, t);
  }, [layout, q, t]); // eslint-disable-line react-hooks/exhaustive-deps -- devices' states do not move cards
  const showFloors = groups.length > 1 || (groups[0] && groups[0].floor !== t('otherFloor'));
  return html`
    <section class="devices" aria-labelledby="devices-title">
      <h2 id="devices-title">${t('devices')}</h2>
      <input type="search" class="search" placeholder=${t('search')} aria-label=${t('search')} value=${query}
        onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} />
      ${devices.size === 0 ? html`<p class="muted">${t('noDevices')}</p>` : groups.length === 0 ? html`<p class="muted">${t('noMatch')}</p>` : null}
      ${groups.map((g) => html`
        <div class="floor" key=${g.floor}>
          ${showFloors ? html`<h3 class="floor-name">${g.floor}</h3>` : null}
          ${g.areas.map((a) => html`
            <section class="area" key=${a.area} aria-label=${a.area}>
              <h3 class="area-name">${a.area}</h3>
              <div class="cards">
                ${a.ids.map((id) => {
                  const d = devices.get(id);
                  return d ? html`<${DeviceCard} key=${id} device=${d} error=${errors.get(id) ?? null} t=${t} canControl=${canControl} send=${send} />` : null;
                })}
              </div>
            </section>`)}
        </div>`)}
    </section>`;
}
