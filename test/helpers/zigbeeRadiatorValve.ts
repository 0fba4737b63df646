/**
 * A Zigbee2MQTT `bridge/devices` entry for a TuYa radiator valve (TS0601_thermostat), as the firmware announces
 * it: a climate expose with a setpoint, the room temperature, a system mode and the presets it is given.
 */
export function radiatorValve(friendlyName: string, presets: string[], ieeeAddress = '0xa4c1380000000001'): object {
  return {
    ieee_address: ieeeAddress, type: 'EndDevice', friendly_name: friendlyName, supported: true, disabled: false,
    interview_completed: true, definition: {
      model: 'TS0601_thermostat', vendor: 'TuYa', description: 'Radiator valve',
      exposes: [{
        type: 'climate', features: [
          { type: 'numeric', name: 'current_heating_setpoint', property: 'current_heating_setpoint', access: 7, value_min: 5, value_max: 30, value_step: 0.5, unit: '°C' },
          { type: 'numeric', name: 'local_temperature', property: 'local_temperature', access: 1, unit: '°C' },
          { type: 'enum', name: 'system_mode', property: 'system_mode', access: 7, values: ['off', 'heat', 'auto'] },
          { type: 'enum', name: 'preset', property: 'preset', access: 7, values: presets },
        ],
      }],
    },
  };
}
