import { rm } from 'node:fs/promises';
import type { Store } from '../core/context.js';
import type { Logger } from '../core/log.js';
import { validMean, type Mean } from './cepstralMean.js';
import { readDataFile } from '../storage/readDataFile.js';

/** The storage collection (`<dataDir>/speech-cmn.json`) that keeps the last cepstral mean heard. */
export const LEARNED_MEAN_COLLECTION = 'speech-cmn';
/** Where it was kept before it went through storage: read once if the collection has none, then removed. */
export const LEGACY_FILE_NAME = 'cmn.json';
const MAX_LEGACY_BYTES = 4096;

interface Saved { mean?: unknown }

/**
 * The recogniser's learned starting cepstral mean (cepstralMean.ts), kept across restarts. It changes after every
 * spoken utterance; it goes through the storage layer's coalesced durable writes (temp file, fsync, rename, a
 * backup copy), so it reaches the SD card at most once per `storage.flushIntervalMs` however much is said, and a
 * power cut leaves a whole copy. A damaged or hostile file never stops start-up: storage moves a torn file aside
 * (STORAGE_CORRUPT), a value of the wrong shape is logged (STORED_ENTRY_INVALID) and the model's own mean is used.
 */
export async function openLearnedMean(store: Store, log: Logger, legacyFile: string): Promise<{ saved: Mean | null; learned(mean: Mean): void }> {
  const collection = await store.collection<Saved>(LEARNED_MEAN_COLLECTION, () => ({}));
  let saved: Mean | null = null;
  const data: unknown = collection.data;
  const isObject = typeof data === 'object' && data !== null && !Array.isArray(data);
  if (!isObject || (data as Saved).mean !== undefined) {
    saved = isObject ? validMean((data as Saved).mean) : null;
    if (!saved) {
      log.warn({ code: 'STORED_ENTRY_INVALID', collection: LEARNED_MEAN_COLLECTION }, 'the saved speech cepstral mean has the wrong shape; starting from the model\'s own');
      collection.data = {};
      collection.markDirty();
    }
  } else {
    saved = await readLegacy(legacyFile, log);
    if (saved) {
      collection.data = { mean: saved };
      collection.markDirty();
    }
  }
  return {
    saved,
    learned: (mean: Mean) => {
      collection.data = { mean };
      collection.markDirty();
    },
  };
}

/** The mean an older hub wrote with a plain writeFile, if any and valid; the file is removed either way. */
async function readLegacy(file: string, log: Logger): Promise<Mean | null> {
  const text = await readDataFile(file, MAX_LEGACY_BYTES).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : ''));
  if (text === null) return null;
  let mean: Mean | null = null;
  try {
    mean = text.length <= MAX_LEGACY_BYTES ? validMean((JSON.parse(text) as Saved | null)?.mean) : null;
  } catch {
    mean = null;
  }
  if (!mean) log.warn({ code: 'STORED_ENTRY_INVALID', file }, `${file} does not hold a valid speech cepstral mean; ignored`);
  await rm(file, { force: true }).catch(() => undefined);
  return mean;
}
