/** A device as the hub's feed sends it (daemon/voice/deviceFeed.ts, DeviceFeedView). */
export interface DeviceView {
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
  limits: { minTemp?: number; maxTemp?: number; tempStep?: number; modes?: string[]; unit?: string };
}

export type SendCommand = (device: DeviceView, command: string, params?: Record<string, unknown>) => void;
