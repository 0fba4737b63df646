import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CEPLEN, featParamsWith, modelMean, needsSecondPass, parseCmnUpdate, validMean } from '../../../daemon/speech/cepstralMean.js';

/** Debian's en-us feat.params, as pocketsphinx-en-us ships it. */
const DEBIAN_FEAT_PARAMS = `-lowerf 130
-upperf 6800
-nfilt 25
-transform dct
-lifter 22
-feat 1s_c_d_dd
-svspec 0-12/13-25/26-38
-agc none
-cmn batch
-varnorm no
-model ptm
-cmninit 41.00,-5.29,-0.12,5.09,2.48,-4.07,-1.37,-1.78,-5.08,-2.05,-6.45,-1.42,1.17
`;

const LOG = `INFO: cmn_live.c(120): Update from < 41.00 -5.29 -0.12  5.09  2.48 -4.07 -1.37 -1.78 -5.08 -2.05 -6.45 -1.42  1.17 >
INFO: cmn_live.c(138): Update to   < 50.71 -3.47 -8.07 25.39 -9.95 -0.06 -12.33 -32.84  2.88 -11.22 16.73 -4.54 -6.30 >
INFO: fsg_search.c(853): 202 frames, 85304 HMMs (422/fr), 55631 senones (275/fr), 15343 history entries (75/fr)
`;

test('the mean an utterance ended with is read from the engine log: the last good "Update to"', () => {
  assert.deepEqual(parseCmnUpdate(LOG), [50.71, -3.47, -8.07, 25.39, -9.95, -0.06, -12.33, -32.84, 2.88, -11.22, 16.73, -4.54, -6.3]);
  // A later damaged line does not replace a good one; a log without one gives nothing.
  assert.equal(parseCmnUpdate(`${LOG}INFO: cmn_live.c(138): Update to   < 1 2 nan >\n`)?.[0], 50.71);
  assert.equal(parseCmnUpdate('INFO: nothing here'), null);
  assert.equal(parseCmnUpdate('Update to < 1e400 0 0 0 0 0 0 0 0 0 0 0 0 >'), null);
  assert.equal(parseCmnUpdate(`Update to < ${Array(CEPLEN).fill('5000').join(' ')} >`), null);
  assert.equal(parseCmnUpdate(`Update to < ${'1 '.repeat(500)}>`), null);
});

test('a mean must be 13 finite, bounded numbers (a damaged or hostile file is not used)', () => {
  assert.ok(validMean(Array(CEPLEN).fill(1)));
  for (const bad of [null, 'x', {}, [], Array(12).fill(1), Array(14).fill(1), [...Array(12).fill(1), 'a'], [...Array(12).fill(1), Infinity], [...Array(12).fill(1), -1e6]]) {
    assert.equal(validMean(bad), null, JSON.stringify(bad));
  }
});

test('the model\'s own mean is read from feat.params, and a copy carries another one', () => {
  const model = modelMean(DEBIAN_FEAT_PARAMS);
  assert.equal(model?.[0], 41);
  const mean = parseCmnUpdate(LOG)!;
  const copy = featParamsWith(DEBIAN_FEAT_PARAMS, mean);
  assert.deepEqual(modelMean(copy), mean);
  assert.equal(copy.split('\n').filter((l) => l.startsWith('-cmninit')).length, 1);
  assert.match(copy, /^-feat 1s_c_d_dd$/m, 'the other parameters are kept');
  // A feat.params without the line gets one.
  assert.deepEqual(modelMean(featParamsWith('-feat 1s_c_d_dd\n', mean)), mean);
  assert.equal(modelMean('-feat 1s_c_d_dd\n'), null);
});

test('a second pass only when the speech\'s loudness (c0) was far from the mean it started with', () => {
  const model = modelMean(DEBIAN_FEAT_PARAMS)!;
  const heard = parseCmnUpdate(LOG)!;
  assert.equal(needsSecondPass(model, heard), true);
  assert.equal(needsSecondPass(heard, heard.map((x, i) => (i === 0 ? x + 2 : x - 5))), false);
});
