/** Limits of the voice protocol shared by the frame schema (build time) and the frame parser (run time). */
export const MAX_ID_LENGTH = 128;
export const AUDIO_FORMATS = ['s16le', 'f32le', 'opus', 'wav'] as const;
