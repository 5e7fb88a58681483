import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonSyntaxError, locateJsonError, parseJson } from '../../src/core/json.js';

test('valid JSON parses as JSON.parse does', () => {
  assert.deepEqual(parseJson('{"a": [1, -2.5e3, "x\\u00e9", true, null]}'), {
    a: [1, -2500, 'xé', true, null],
  });
});

const broken: [string, number, number, RegExp][] = [
  ['{"a": 1,}', 1, 9, /property name/],
  ['{"a": 1\n "b": 2}', 2, 2, /expected "," or "}"/],
  ['[1, 2', 1, 6, /end of input/],
  ["{'a': 1}", 1, 2, /property name/],
  ['{"a": tru}', 1, 7, /expected a value/],
  ['{"a": "line\nbreak"}', 1, 12, /control character/],
  ['{"a": 1} x', 1, 10, /after the end/],
  ['', 1, 1, /end of input/],
];

for (const [text, line, column, problem] of broken) {
  test(`locates the error in ${JSON.stringify(text)}`, () => {
    assert.throws(() => JSON.parse(text));
    const error = locateJsonError(text);
    assert.ok(error instanceof JsonSyntaxError);
    assert.deepEqual([error.line, error.column], [line, column]);
    assert.match(error.problem, problem);
    assert.throws(() => parseJson(text), JsonSyntaxError);
  });
}
