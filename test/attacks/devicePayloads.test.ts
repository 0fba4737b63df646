import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDiscovery } from '../../devices/haDiscovery.js';
import { parseBridgeDevices } from '../../devices/zigbee2mqtt.js';

/**
 * Issue 18 fault suite findings, kept as found (shrunk): JSON objects that JavaScript cannot turn into text or a
 * number (`{"toString": 0}`, `{"toString": null}`) where the device parsers expected a scalar. Each threw a
 * TypeError out of the parser: a discovery config was dropped with an uncoded error and a stack in the log, and
 * one such expose made the whole Zigbee2MQTT device list fail. Now the odd field is ignored, nothing else.
 */

test('issue 18 fault suite: a discovery config whose device connection holds {"toString": 0} parses; the connection is ignored', () => {
  const payload = Buffer.from(JSON.stringify({ name: 'Lamp', uniq_id: 'lamp1', stat_t: 'a/b', cmd_t: 'a/b/set', dev: { cns: [[{ toString: 0 }, 'x']] } }));
  const r = parseDiscovery('homeassistant/light/lamp1/config', payload, 'homeassistant');
  assert.equal(r.kind, 'config', JSON.stringify(r));
  assert.equal(r.kind === 'config' && r.entities[0]?.device.id, 'lamp1');
  // A real connection still names the physical device.
  const good = parseDiscovery('homeassistant/light/lamp2/config', Buffer.from(JSON.stringify({ name: 'Lamp 2', uniq_id: 'lamp2', stat_t: 'a/c', cmd_t: 'a/c/set', dev: { cns: [['mac', '00:11']] } })), 'homeassistant');
  assert.equal(good.kind, 'config', JSON.stringify(good));
});

test('issue 18 fault suite: a Zigbee2MQTT expose whose access is [{"toString": null}] is read as no access; the other devices of the list are kept', () => {
  const list = [
    { ieee_address: '0x01', friendly_name: 'odd', definition: { exposes: [{ type: 'binary', name: 'state', property: 'state', access: [{ toString: null }] }] } },
    { ieee_address: '0x02', friendly_name: 'plug', definition: { exposes: [{ type: 'switch', features: [{ type: 'binary', name: 'state', property: 'state', access: 7, value_on: 'ON', value_off: 'OFF' }] }] } },
  ];
  const r = parseBridgeDevices(Buffer.from(JSON.stringify(list)), 'zigbee2mqtt');
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(r.ok && r.devices.some((d) => d.name === 'plug'), JSON.stringify(r));
});
