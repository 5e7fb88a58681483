import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeLocation, InputError, jsonInputError } from '../../src/core/errors.js';
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

/** Each malformed text with the exact place and words a person is shown (checked by hand). */
const exact: [string, number, number, string][] = [
  ['{"a": "x\\u12G4"}', 1, 10, 'bad \\u escape'],
  ['{"a": "\\q"}', 1, 9, 'bad escape in string'],
  ['"\\', 1, 3, 'bad escape in string'],
  ['{"a": "abc', 1, 11, 'unterminated string'],
  ['"tab\there"', 1, 5, 'control character in string'],
  ['{}x', 1, 3, 'unexpected "x" after the end of the value'],
  ['[]]', 1, 3, 'unexpected "]" after the end of the value'],
  ['[[]]]', 1, 5, 'unexpected "]" after the end of the value'],
  ['{"k": {}}}', 1, 10, 'unexpected "}" after the end of the value'],
  ['{"a":1}\n{"b":2}', 2, 1, 'unexpected "{" after the end of the value'],
  [
    '[1, -1.5e+3, 0.25, true, false, null, "\\u00e9\\n"] extra',
    1,
    51,
    'unexpected "e" after the end of the value',
  ],
  ['[1,]', 1, 4, 'unexpected "]", expected a value'],
  ['[1 2]', 1, 4, 'unexpected "2", expected "," or "]"'],
  ['[01]', 1, 3, 'unexpected "1", expected "," or "]"'],
  ['[1.]', 1, 3, 'unexpected ".", expected "," or "]"'],
  ['[1e]', 1, 3, 'unexpected "e", expected "," or "]"'],
  ['[-]', 1, 2, 'unexpected "-", expected a value'],
  ['{"a" 1}', 1, 6, 'unexpected "1", expected ":"'],
  ['{"a":1,}', 1, 8, 'unexpected "}", expected a property name in double quotes'],
  ['{a:1}', 1, 2, 'unexpected "a", expected a property name in double quotes'],
  ['{"a": [1, {"b": nul}]}', 1, 17, 'unexpected "n", expected a value'],
  ['\n\n  [1,\n 2,, 3]', 4, 4, 'unexpected ",", expected a value'],
  ['   ', 1, 4, 'unexpected end of input, expected a value'],
];

for (const [text, line, column, problem] of exact) {
  test(`${JSON.stringify(text)}: line ${line}, column ${column}: ${problem}`, () => {
    const error = locateJsonError(text);
    assert.deepEqual([error.line, error.column, error.problem], [line, column, problem]);
    assert.equal(error.message, `invalid JSON at line ${line}, column ${column}: ${problem}`);
    assert.equal(error.name, 'JsonSyntaxError');
  });
}

test('valid JSON with every kind of value and escape passes the scanner too', () => {
  // The scanner only runs after JSON.parse failed; on valid text it must find nothing to blame.
  const valid =
    '{"s": "q\\"\\\\\\/\\b\\f\\n\\r\\t\\u00E9", "n": [0, -0.5, 1e10, 2E-3, 1.5e+2], "o": {}, "a": [], "l": [true, false, null]}';
  assert.deepEqual(parseJson(valid), JSON.parse(valid));
  assert.equal(locateJsonError(valid).problem, 'not valid JSON');
});

test('bad input says where: file, line or row, field — only the parts it knows', () => {
  assert.equal(describeLocation({ file: 'f.json' }), 'f.json');
  assert.equal(
    describeLocation({ file: 'f.json', row: 3, field: 'steps.1' }),
    'f.json, row 3, field "steps.1"',
  );
  assert.equal(describeLocation({ file: 'f.jsonl', line: 2, field: '' }), 'f.jsonl, line 2');
  const error = new InputError({ file: 'f.json', row: 1 }, 'no problem text');
  assert.deepEqual(
    [error.name, error.message, error.detail],
    ['InputError', 'f.json, row 1: no problem text', 'no problem text'],
  );
  // A JSON error becomes input at its place; anything else is not bad input and passes through.
  const located = jsonInputError({ file: 'f.json', line: 4 }, locateJsonError('[1,]'));
  assert.equal(located.message, 'f.json, line 4: invalid JSON (column 4: unexpected "]", expected a value)');
  const other = new TypeError('boom');
  assert.throws(
    () => jsonInputError({ file: 'f.json' }, other),
    (thrown) => thrown === other,
  );
});
