/**
 * Limits on JSON taken from MQTT into stored device state (json_attributes). Everything stored is later
 * serialised (devices.json, /api/devices, change detection), and JSON.stringify recurses: a 12 KB payload
 * of nested arrays is thousands of levels deep and overflows the stack there, long after it was accepted.
 * Home Assistant's attributes are flat name/value maps, so the limits are generous for real devices.
 */
export const MAX_ATTRIBUTES_DEPTH = 8;
/** Measured as the length of the JSON text the value would serialise to. */
export const MAX_ATTRIBUTES_BYTES = 16 * 1024;

/** A state value that is text (a sensor's, an hvac mode) is at most this long, as in Home Assistant. */
export const MAX_STATE_STRING = 255;

/** Why a value does not fit, or null when it does. Walks at most `maxDepth` levels, so it cannot overflow itself. */
export function jsonBoundsProblem(value: unknown, maxDepth = MAX_ATTRIBUTES_DEPTH, maxBytes = MAX_ATTRIBUTES_BYTES): string | null {
  let bytes = 0;
  const walk = (v: unknown, depth: number): string | null => {
    if (v === null || typeof v !== 'object') {
      bytes += typeof v === 'string' ? v.length + 2 : 8;
      return bytes > maxBytes ? `larger than ${maxBytes} bytes` : null;
    }
    if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`;
    bytes += 2;
    const entries = Array.isArray(v) ? v : Object.entries(v);
    for (const entry of entries) {
      let item: unknown = entry;
      if (!Array.isArray(v)) {
        const [key, inner] = entry as [string, unknown];
        bytes += key.length + 4;
        item = inner;
      }
      const problem = walk(item, depth + 1);
      if (problem) return problem;
    }
    return bytes > maxBytes ? `larger than ${maxBytes} bytes` : null;
  };
  return walk(value, 0);
}
