import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveredByAny, filterCovers, isValidTopicFilter, isValidTopicName, topicMatches } from '../../../daemon/mqtt/topicFilter.js';

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
