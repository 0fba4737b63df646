import type { DeviceView } from './types.js';

type Listener = () => void;

/**
 * The devices the feed has sent, kept outside Preact's state so that a state change re-renders only the
 * cards of the devices that changed: each card listens to its own id, and the list listens only to the
 * layout (a device came, went, or changed its name, aliases, area or floor). With 500 devices reporting,
 * one feed frame (at most every 100 ms) touches the few cards it names, not the whole list.
 */
export class DeviceStore {
  private devices = new Map<string, DeviceView>();
  private readonly byId = new Map<string, Set<Listener>>();
  private readonly layoutListeners = new Set<Listener>();
  /** Bumped at each layout change; the list regroups only when it moves. */
  layout = 0;

  get size(): number {
    return this.devices.size;
  }

  get(id: string): DeviceView | undefined {
    return this.devices.get(id);
  }

  all(): IterableIterator<DeviceView> {
    return this.devices.values();
  }

  /** `{"type":"devices"}`: the whole list, at attach and again after every reconnect. */
  replace(list: DeviceView[]): void {
    const old = this.devices;
    this.devices = new Map(list.map((d) => [d.id, d]));
    for (const id of new Set([...old.keys(), ...this.devices.keys()])) this.notify(id);
    this.bumpLayout();
  }

  /** `{"type":"devices.changed"}`: the devices that changed and the ids that went. */
  change(changed: DeviceView[], removed: string[]): void {
    let moved = removed.length > 0;
    for (const d of changed) {
      const was = this.devices.get(d.id);
      if (!was || was.name !== d.name || was.area !== d.area || was.floor !== d.floor || was.aliases.join('\n') !== d.aliases.join('\n')) moved = true;
      this.devices.set(d.id, d);
    }
    for (const id of removed) this.devices.delete(id);
    for (const d of changed) this.notify(d.id);
    if (moved) this.bumpLayout();
  }

  /** Calls `listener` whenever the device with this id changes; returns the function that stops it. */
  watch(id: string, listener: Listener): () => void {
    let set = this.byId.get(id);
    if (!set) this.byId.set(id, set = new Set());
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byId.delete(id);
    };
  }

  watchLayout(listener: Listener): () => void {
    this.layoutListeners.add(listener);
    return () => { this.layoutListeners.delete(listener); };
  }

  private notify(id: string): void {
    for (const l of this.byId.get(id) ?? []) l();
  }

  private bumpLayout(): void {
    this.layout++;
    for (const l of this.layoutListeners) l();
  }
}
