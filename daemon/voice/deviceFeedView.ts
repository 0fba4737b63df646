/**
 * The device feed's wire shape, in a file of its own with no imports, so the page's UI (its own tsconfig, DOM
 * types only) reads the same declaration the hub sends instead of a copy.
 */
/** What the page is told about a device: no MQTT topics or templates, only what it shows and controls. */
export interface DeviceFeedView {
  id: string;
  name: string;
  aliases: string[];
  area: string | null;
  floor: string | null;
  type: string;
  capabilities: string[];
  state: Record<string, unknown>;
  available: boolean | null;
  lastSeen: number | null;
  limits: {
    minTemp?: number; maxTemp?: number; tempStep?: number; modes?: string[]; unit?: string;
    /** A light's colour temperature range in kelvin (from its mireds), for the page's slider. */
    minKelvin?: number; maxKelvin?: number;
  };
}
