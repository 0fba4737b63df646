/** One Home Assistant discovery config per sensor, each with its own value template, as a flood of announcements would send. */
export function discoveryConfig(i: number): { topic: string; payload: string } {
  return {
    topic: `homeassistant/sensor/flood_${i}/temperature/config`,
    payload: JSON.stringify({
      name: `Temperature ${i}`, uniq_id: `flood_${i}_temperature`, stat_t: `flood/${i}/state`, dev_cla: 'temperature', unit_of_meas: '°C',
      val_tpl: `{{ (value_json.temperature_${i} | float(0) / 10) | round(1) }}`, avty_t: `flood/${i}/availability`,
      dev: { ids: [`flood_${i}`], name: `Flood sensor ${i}`, mf: 'Bench', mdl: 'Hostile announcer', sw: '1.0.0' },
    }),
  };
}
