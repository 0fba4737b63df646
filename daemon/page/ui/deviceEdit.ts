import { useEffect, useState } from 'preact/hooks';
import { parseAliases } from './aliases.js';
import { html } from './html.js';
import type { T } from './i18n.js';
import type { DeviceView, FloorOption } from './types.js';

/** `PATCH /api/devices/:id`'s body: a string sets a field, null gives it back to what the device announced. */
export interface DevicePatch {
  name?: string | null;
  area?: string | null;
  aliases?: string[] | null;
  /** A configured floor's key; null puts the device back on its area's floor. */
  floor?: string | null;
  reset?: true;
}

/** Sends a patch; resolves to the hub's refusal as text, or null when it was taken. */
export interface EditDevice {
  (device: DeviceView, patch: DevicePatch): Promise<string | null>;
  /** The configured floors (`GET /api/floors`), asked once per sign-in; empty when there are none. */
  floors(): Promise<FloorOption[]>;
}

/** The hub's own limits (devices/userOverrides.ts): the inputs stop there, and the hub checks again. */
const MAX_NAME = 100;
const MAX_AREA = 64;

/**
 * Rename a device, give it the aliases people say, move it to an area (and so to that area's floor) or to a
 * configured floor of its own (a picker of `floors:`; "its area's floor" gives that back), through
 * `PATCH /api/devices/:id`: the same overrides as `voicehub devices set`, so the voice understands the new
 * name at once. Only the fields changed are sent. The hub's refusal (`DEVICE_OVERRIDE_INVALID` with its
 * reason) is shown here; the feed then pushes the device as it now is. Needs an admin sign-in: a name decides
 * which device "unlock the front door" reaches. The form exists only while open, so 500 closed cards carry
 * none of it.
 */
export function DeviceEdit({ device, t, edit }: { device: DeviceView; t: T; edit: EditDevice | null }): unknown {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState({ name: '', aliases: '', area: '', floor: '' });
  const [floors, setFloors] = useState<FloorOption[]>([]);
  useEffect(() => {
    if (!open || !edit) return;
    let live = true;
    void edit.floors().then((f) => { if (live) setFloors(f); });
    return () => { live = false; };
  }, [open, edit]);
  const [status, setStatus] = useState<{ error: string | null; saved: boolean; busy: boolean }>({ error: null, saved: false, busy: false });

  const toggle = (e: Event): void => {
    const isOpen = (e.currentTarget as HTMLDetailsElement).open;
    if (isOpen && !open) setDraft({ name: device.name, aliases: device.aliases.join(', '), area: device.area ?? '', floor: device.floor ?? '' });
    setOpen(isOpen);
    setStatus({ error: null, saved: false, busy: false });
  };

  const run = async (patch: DevicePatch): Promise<void> => {
    if (!edit) return;
    setStatus({ error: null, saved: false, busy: true });
    const error = await edit(device, patch);
    setStatus({ error, saved: error === null, busy: false });
  };

  const save = (e: Event): void => {
    e.preventDefault();
    const patch: DevicePatch = {};
    const name = draft.name.trim();
    if (name !== device.name) patch.name = name === '' ? null : name;
    const aliases = parseAliases(draft.aliases);
    if (aliases.join('\n') !== device.aliases.join('\n')) patch.aliases = aliases;
    const area = draft.area.trim();
    if (area !== (device.area ?? '')) patch.area = area === '' ? null : area;
    if (draft.floor !== (device.floor ?? '')) patch.floor = draft.floor === '' ? null : draft.floor;
    if (Object.keys(patch).length === 0) {
      setStatus({ error: null, saved: true, busy: false });
      return;
    }
    void run(patch);
  };

  // The device's floor now may come from its area under a name `floors:` does not list: offered as it is.
  const choices = device.floor && !floors.some((f) => f.id === device.floor) ? [...floors, { id: device.floor, aliases: [], level: 0 }] : floors;
  const floorPicker = html`
    <label>${t('floor')}
      <select name="floor" value=${draft.floor} onChange=${(e: Event) => setDraft({ ...draft, floor: (e.target as HTMLSelectElement).value })}>
        <option value="">${t('floorOfArea')}</option>
        ${choices.map((f) => html`<option key=${f.id} value=${f.id}>${f.aliases.length > 0 ? `${f.id} (${f.aliases.join(', ')})` : f.id}</option>`)}
      </select>
    </label>`;

  const field = (key: 'name' | 'aliases' | 'area', label: string, max: number, extra: Record<string, unknown> = {}) => html`
    <label>${label}
      <input name=${key} value=${draft[key]} maxlength=${max} autocomplete="off" ...${extra}
        onInput=${(e: Event) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value })} />
    </label>`;

  return html`
    <details class="edit" onToggle=${toggle}>
      <summary>${t('rename')}</summary>
      ${!open ? null : !edit ? html`<p class="muted">${t('renameNeedsAdmin')}</p>` : html`
        <form class="edit-form" onSubmit=${save}>
          ${field('name', t('name'), MAX_NAME)}
          ${field('aliases', t('aliases'), 20 * (MAX_NAME + 2), { placeholder: t('aliasesHint') })}
          ${field('area', t('area'), MAX_AREA, { list: 'known-areas' })}
          ${floorPicker}
          <div class="edit-actions">
            <button type="submit" disabled=${status.busy}>${t('save')}</button>
            <button type="button" class="reset" disabled=${status.busy} onClick=${() => void run({ reset: true })}>${t('resetNames')}</button>
          </div>
          ${status.error ? html`<p class="error" role="alert">${status.error}</p>` : null}
          ${status.saved ? html`<p class="saved" role="status">${t('saved')}</p>` : null}
        </form>`}
    </details>`;
}
