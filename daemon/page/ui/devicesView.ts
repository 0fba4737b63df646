import { Component, createRef, type ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from './html.js';
import { kindName, type T } from './i18n.js';
import { controlsFor, stateText } from './controls.js';
import { DeviceEdit, type EditDevice } from './deviceEdit.js';
import type { DeviceStore } from './deviceStore.js';
import type { DeviceView, SendCommand } from './types.js';
import { observeVisibility } from './visibility.js';

interface CardProps {
  id: string;
  store: DeviceStore;
  error: string | null;
  t: T;
  canControl: boolean;
  /** Set when the sign-in may rename devices (admin); null shows why it may not. */
  edit: EditDevice | null;
  send: SendCommand;
}

/**
 * One device. It listens to its own id in the store and re-renders only when that device changes (or its
 * props do): a feed frame naming 40 of 500 devices renders 40 cards, and of those only the ones on screen
 * or near it; one off screen remembers it is behind and renders when it scrolls near. The browser skips
 * the layout and paint of cards off screen (`content-visibility: auto` in page.css).
 */
class DeviceCard extends Component<CardProps> {
  private stops: Array<() => void> = [];
  private visible = true; // until the observer says otherwise
  private behind = false;
  private readonly element = createRef<HTMLElement>();

  override componentDidMount(): void {
    this.stops.push(this.props.store.watch(this.props.id, () => {
      if (this.visible) this.forceUpdate();
      else this.behind = true;
    }));
    if (this.element.current) {
      this.stops.push(observeVisibility(this.element.current, (visible) => {
        this.visible = visible;
        if (visible && this.behind) this.forceUpdate();
      }));
    }
  }

  override componentWillUnmount(): void {
    for (const stop of this.stops) stop();
  }

  override shouldComponentUpdate(next: CardProps): boolean {
    const p = this.props;
    return next.id !== p.id || next.error !== p.error || next.t !== p.t || next.canControl !== p.canControl || next.edit !== p.edit;
  }

  override render({ id, store, error, t, canControl, edit, send }: CardProps): ComponentChildren {
    const d = store.get(id);
    this.behind = false;
    if (!d) return null;
    const unavailable = d.available === false;
    const reason = unavailable ? t('unavailableReason') : canControl ? null : t('noControl');
    return html`
      <article ref=${this.element} class=${`device${unavailable ? ' offline' : ''}`} aria-label=${d.name} data-device=${d.id}>
        <header>
          <h4 class="name">${d.name}</h4>
          <span class="kind" data-kind=${d.type}>${kindName(t, d.type)}</span>
        </header>
        <p class="state" aria-live="polite">${stateText(d)}${unavailable ? html` <strong class="badge">${t('unavailable')}</strong>` : null}</p>
        <div class="controls">${controlsFor(d, t, send, reason)}</div>
        ${reason && unavailable ? html`<p class="reason">${reason}</p>` : null}
        ${error ? html`<p class="error" role="alert">${error}</p>` : null}
        <${DeviceEdit} device=${d} t=${t} edit=${edit} />
      </article>`;
  }
}

type Groups = Array<{ floor: string; areas: Array<{ area: string; ids: string[] }> }>;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Floors, then areas, then devices, each by name; devices with no floor or area go last. Only ids: the
 * grouping is redone when a device comes, goes or is renamed or moved (the store's layout), not at each
 * state change.
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

export function DevicesView({ store, errors, t, canControl, edit, send }: {
  store: DeviceStore; errors: Map<string, string>; t: T; canControl: boolean; edit: EditDevice | null; send: SendCommand;
}): unknown {
  const [query, setQuery] = useState('');
  const [layout, setLayout] = useState(store.layout);
  useEffect(() => store.watchLayout(() => setLayout(store.layout)), [store]);
  const q = query.trim().toLowerCase();
  const groups = useMemo(() => {
    const list = [...store.all()].filter((d) => !q || d.name.toLowerCase().includes(q) || d.aliases.some((a) => a.toLowerCase().includes(q)));
    return group(list, t);
  }, [store, layout, q, t]);
  // The areas the hub knows from its devices, offered when moving a device (any other name may be typed).
  const areas = useMemo(() => [...new Set([...store.all()].map((d) => d.area).filter((a): a is string => !!a))].sort(collator.compare), [store, layout]);
  const showFloors = groups.length > 1 || (groups[0] && groups[0].floor !== t('otherFloor'));
  return html`
    <section class="devices" aria-labelledby="devices-title">
      <h2 id="devices-title">${t('devices')}</h2>
      <input type="search" class="search" placeholder=${t('search')} aria-label=${t('search')} value=${query}
        onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} />
      ${edit ? html`<datalist id="known-areas">${areas.map((a) => html`<option key=${a} value=${a} />`)}</datalist>` : null}
      ${store.size === 0 ? html`<p class="muted">${t('noDevices')}</p>` : groups.length === 0 ? html`<p class="muted">${t('noMatch')}</p>` : null}
      ${groups.map((g) => html`
        <div class="floor" key=${g.floor}>
          ${showFloors ? html`<h3 class="floor-name">${g.floor}</h3>` : null}
          ${g.areas.map((a) => html`
            <section class="area" key=${a.area} aria-label=${a.area}>
              <h3 class="area-name">${a.area}</h3>
              <div class="cards">
                ${a.ids.map((id) => html`<${DeviceCard} key=${id} id=${id} store=${store} error=${errors.get(id) ?? null} t=${t}
                  canControl=${canControl} edit=${edit} send=${send} />`)}
              </div>
            </section>`)}
        </div>`)}
    </section>`;
}
