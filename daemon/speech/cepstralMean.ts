/**
 * The recogniser's starting cepstral mean (CMN), learned from the audio the hub hears.
 *
 * Why: pocketsphinx normalises each frame by a running cepstral mean ("live" CMN) that starts at the
 * model's `-cmninit` and is only updated after 800 frames (8 s) or at the end of an utterance. A command
 * is 1–3 s, so a fresh process decodes the whole of it with the model's default mean, and every utterance
 * gets a fresh process here. Measured on the bench commands (espeak-ng, 6 voices): the default mean
 * (c0 = 41) is 10–15 away from what the speech really has (c0 = 50–56), and decoding with the mean the
 * same audio turned out to have lifts action accuracy from 67 % to 92 %. A long-running pocketsphinx
 * would carry its mean from one utterance to the next; this carries it across processes: each utterance
 * starts from the mean of the last one (same microphone, same room), and an utterance whose mean turns out
 * far from the one it started with is decoded again with its own (`needsSecondPass`).
 *
 * Debian's pocketsphinx (5prealpha) lets the model's feat.params override `-cmninit` given on the command
 * line, so the mean reaches it through `-featparams`, a copy of the model's feat.params with the line
 * replaced (`featParamsWith`).
 */

/** Cepstral coefficients in the en-us model's features (`-ceplen`). */
export const CEPLEN = 13;
/** |value| bound for a mean read from the engine's log or a file: a cepstrum is tens, never thousands. */
const MAX_ABS = 1000;

export type Mean = readonly number[];

/** A mean of CEPLEN finite, bounded numbers, or null (a hostile or damaged value is not used). */
export function validMean(value: unknown): Mean | null {
  if (!Array.isArray(value) || value.length !== CEPLEN) return null;
  return value.every((x) => typeof x === 'number' && Number.isFinite(x) && Math.abs(x) < MAX_ABS) ? value.map(Number) : null;
}

/** The last `Update to < … >` pocketsphinx's cmn_live logged (the mean it ended an utterance with), or null. */
export function parseCmnUpdate(log: string): Mean | null {
  let last: Mean | null = null;
  for (const m of log.matchAll(/Update to\s*<([^>]{1,400})>/g)) {
    const mean = validMean(m[1].trim().split(/\s+/).map(Number));
    if (mean) last = mean;
  }
  return last;
}

/** The model's own `-cmninit` from its feat.params text, or null. */
export function modelMean(featParams: string): Mean | null {
  const line = /^-cmninit\s+(\S+)\s*$/m.exec(featParams);
  return line ? validMean(line[1].split(',').map(Number)) : null;
}

/** The model's feat.params with `-cmninit` set to `mean` (added when the file has none). */
export function featParamsWith(featParams: string, mean: Mean): string {
  const line = `-cmninit ${mean.map((x) => x.toFixed(2)).join(',')}`;
  return /^-cmninit\s.*$/m.test(featParams) ? featParams.replace(/^-cmninit\s.*$/m, line) : `${featParams.trimEnd()}\n${line}\n`;
}

/**
 * How far an utterance's mean ended from where it started, in c0 (the log energy: loudness and
 * microphone gain, what moves most between microphones and voices).
 */
export function shift(from: Mean, to: Mean): number {
  return Math.abs(from[0] - to[0]);
}

/**
 * Beyond this shift the first pass decoded with a mean too far off to trust and the utterance is decoded
 * again with its own (measured: README "Speech"). Below it, the next utterance simply starts from the new
 * mean.
 */
export const SECOND_PASS_SHIFT = 4;

export function needsSecondPass(started: Mean, ended: Mean): boolean {
  return shift(started, ended) > SECOND_PASS_SHIFT;
}
