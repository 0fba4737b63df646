/** A device as the hub's feed sends it: the hub's own declaration. */
import type { DeviceFeedView } from '../../voice/deviceFeedView.js';

export type DeviceView = DeviceFeedView;

export type SendCommand = (device: DeviceView, command: string, params?: Record<string, unknown>) => void;

/** A configured floor (`floors:`), as `GET /api/floors` lists it: where the edit form may move a device. */
export interface FloorOption { id: string; aliases: string[]; level: number }
