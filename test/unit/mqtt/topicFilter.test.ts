import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveredByAny, filterCovers, isValidTopicFilter, isValidTopicName, MAX_TOPIC_LEVELS, topicMatches } from '../../../daemon/mqtt/topicFilter.js';

test('valid and invalid topic filters (MQTT 3.1.1 §4.7.1)', () => {
  for (const ok of ['a', 'a/b', '#', '+', 'a/#', 'a/+/c', '+/+', '/', 'a//b', '$SYS/#', 'homeassistant/+/+/config']) {
    assert.equal(isValidTopicFilter(ok), true, ok);
  }
  for (const bad of ['', 'a/#/b', 'a#', 'a/b#', 'a+/b', '+a', '#/a', 'a\u0000b']) {
    assert.equal(isValidTopicFilter(bad), false, bad);
  }
});

test('topic names carry no wildcards', () => {
  assert.equal(isValidTopicName('zigbee2mqtt/lamp/set'), true);
  assert.equal(isValidTopicName('a/+/c'), false);
  assert.equal(isValidTopicName('a/#'), false);
  assert.equal(isValidTopicName(''), false);
});

test('topics and filters within what the broker takes: at most 100 levels (aedes), 65,535 bytes of UTF-8, no lone surrogate (issue 18)', () => {
  const levels = (n: number, level = 'a'): string => Array.from({ length: n }, () => level).join('/');
  assert.equal(MAX_TOPIC_LEVELS, 100);
  for (const check of [isValidTopicName, isValidTopicFilter]) {
    assert.equal(check(levels(100)), true, `100 levels: ${check.name}`);
    assert.equal(check(levels(101)), false, `101 levels: ${check.name}`);
    assert.equal(check(levels(101, '')), false, `101 empty levels (100 slashes): ${check.name}`);
    // Bytes, not UTF-16 units: 21,845 three-byte characters are 65,535 bytes; one more is over.
    assert.equal(check('灯'.repeat(21_845)), true, `65,535 bytes: ${check.name}`);
    assert.equal(check('灯'.repeat(21_846)), false, `65,538 bytes in 21,846 units: ${check.name}`);
    assert.equal(check('a'.repeat(65_535)), true);
    assert.equal(check('a'.repeat(65_536)), false);
    assert.equal(check('😀'.repeat(16_383) + 'abc'), true, '4-byte characters counted as 4 (65,535 bytes)');
    assert.equal(check('😀'.repeat(16_384)), false, '65,536 bytes');
    assert.equal(check('home/\uD83D/set'), false, `a lone high surrogate: ${check.name}`);
    assert.equal(check('home/\uDE00/set'), false, `a lone low surrogate: ${check.name}`);
    assert.equal(check('home/😀/set'), true, `a pair: ${check.name}`);
  }
  assert.equal(isValidTopicFilter(`${levels(99)}/#`), true, '#, the 100th level');
  assert.equal(isValidTopicFilter(`${levels(100)}/#`), false, '#, a 101st level');
});

test('a filter is covered only when every topic it matches is matched by the pattern', () => {
  const cases: Array<[pattern: string, filter: string, covered: boolean]> = [
    ['a/#', 'a/+/c', true],
    ['a/#', 'a', true], // '#' includes the parent level
    ['a/#', 'a/b', true],
    ['a/#', 'a/#', true],
    ['a/#', '#', false],
    ['a/#', '+/b', false],
    ['a/#', 'b/c', false],
    ['a/+', 'a/b', true],
    ['a/+', 'a/+', true],
    ['a/+', 'a/#', false],
    ['a/+', 'a/b/c', false],
    ['a/+', 'a', false],
    ['a/b', 'a/+', false],
    ['a/b', 'a/b', true],
    ['+/b', 'x/b', true],
    ['+/b', '+/b', true],
    ['#', '#', true],
    ['#', 'anything/at/all', true],
    ['a/+/c', 'a/+/c', true],
    ['a/+/c', 'a/b/+', false],
  ];
  for (const [pattern, filter, covered] of cases) {
    assert.equal(filterCovers(pattern, filter), covered, `${pattern} covers ${filter}`);
  }
});

test('wildcards never cover $-topics; a literal $ level does [MQTT-4.7.2-1]', () => {
  assert.equal(filterCovers('#', '$SYS/broker'), false);
  assert.equal(filterCovers('+/broker', '$SYS/broker'), false);
  assert.equal(filterCovers('$SYS/#', '$SYS/broker'), true);
  assert.equal(topicMatches('#', '$SYS/x'), false);
  assert.equal(topicMatches('+/+', 'a/b'), true);
});

test('coveredByAny checks every allowed pattern', () => {
  assert.equal(coveredByAny(['sensors/#', 'lights/+/set'], 'lights/kitchen/set'), true);
  assert.equal(coveredByAny(['sensors/#', 'lights/+/set'], 'lights/kitchen/state'), false);
  assert.equal(coveredByAny([], 'a'), false);
});
