/**
 * The hub's own availability topic (PROTOCOL §4): retained `online` while the hub runs, `offline` when it
 * stops or (external broker) when its connection dies, through the MQTT last will [MQTT-3.1.2-8].
 * Same convention as Zigbee2MQTT's `zigbee2mqtt/bridge/state` and Home Assistant's availability topics.
 */
export const STATUS_TOPIC = 'voicehub/status';
export const STATUS_ONLINE = 'online';
export const STATUS_OFFLINE = 'offline';

/** Hub publishes that count as device commands (`voicehub_mqtt_commands_total`): QoS ≥ 1 and not retained. */
export function isCommandPublish(qos: number, retain: boolean): boolean {
  return qos > 0 && !retain;
}
