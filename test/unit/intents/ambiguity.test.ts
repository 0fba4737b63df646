/** Issue 14 item 6: ambiguity resolved the way users expect. */
import { test } from 'node:test';
import { IntentEngine } from '../../../daemon/intents/index.js';
import { expectIntent } from './fixture.js';

const engine = new IntentEngine();
engine.setLists({
  devices: [
    { id: 'gcover', name: 'Garage', aliases: [], area: 'garage', type: 'cover', deviceClass: 'garage' },
    { id: 'side_lock', name: 'Side Door', aliases: [], area: 'garage', type: 'lock' },
    { id: 'front', name: 'Front Door', aliases: [], area: 'hallway', type: 'lock' },
    { id: 'lamp_bed', name: 'Lamp', aliases: [], area: 'bedroom', type: 'light' },
    { id: 'lamp_office', name: 'Lamp', aliases: [], area: 'office', type: 'light' },
    { id: 'desk', name: 'Desk Lamp', aliases: [], area: 'office', type: 'light' },
  ],
  areas: [{ name: 'garage' }, { name: 'hallway' }, { name: 'bedroom' }, { name: 'office' }],
});

test('"the garage door" is the cover classed garage, not the lock of the door in the garage', () => {
  expectIntent(engine, 'open the garage door', 'HassTurnOn', { ids: ['gcover'] });
  expectIntent(engine, 'close the garage door', 'HassTurnOff', { ids: ['gcover'] });
  expectIntent(engine, 'is the garage door open', 'HassGetState', { ids: ['gcover'] });
  expectIntent(engine, '打开车库门', 'HassTurnOn', { ids: ['gcover'] });
});

test('same-named devices: the room said, else the satellite\'s room, else a question', () => {
  expectIntent(engine, 'turn on the lamp in the bedroom', 'HassTurnOn', { ids: ['lamp_bed'] });
  expectIntent(engine, 'turn on the lamp', 'HassTurnOn', { ids: ['lamp_office'], session: 'office' });
  expectIntent(engine, 'turn on the lamp', 'HassTurnOn', { error: 'DEVICE_AMBIGUOUS' });
  // With no room said, the satellite's room comes first, then the only device of that name.
  expectIntent(engine, 'turn on the desk lamp', 'HassTurnOn', { ids: ['desk'], session: 'bedroom' });
});
