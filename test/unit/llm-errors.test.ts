/**
 * What a failure says and whether it is tried again: error bodies of every server's shape, the
 * Retry-After a server asks for, and failures below HTTP (refused, silent, past the deadline).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EndpointError, errorBodyMessage, parseRetryAfter, transportError } from '../../src/llm/errors.js';

test('the message of an error body, whatever shape the server gives it', () => {
  const cases: [string, string][] = [
    ['{"error":{"message":"rate limited","type":"rate_limit_error"}}', 'rate limited'],
    ['{"error":"model not loaded"}', 'model not loaded'],
    ['{"object":"error","message":"context too long","code":400}', 'context too long'],
    ['{"detail":"Not Found"}', 'Not Found'],
    ['{"error":null,"message":"behind a null error"}', 'behind a null error'],
    ['{"error":{"message":5},"detail":"not this either"}', 'not this either'],
    // Nothing readable in it: the body itself, at most 300 characters.
    ['{"error":{"code":5}}', '{"error":{"code":5}}'],
    ['Bad Gateway', 'Bad Gateway'],
    [`<html>${'x'.repeat(400)}</html>`, `<html>${'x'.repeat(294)}`],
  ];
  for (const [body, message] of cases) assert.equal(errorBodyMessage(body), message, body);
});

test('Retry-After: milliseconds first when valid, then seconds or a date; nothing usable is no wait asked', () => {
  const asked = (entries: Record<string, string>) => parseRetryAfter(new Headers(entries));
  assert.equal(asked({ 'retry-after-ms': '0', 'retry-after': '9' }), 0);
  assert.equal(asked({ 'retry-after-ms': '-1', 'retry-after': '3' }), 3000);
  assert.equal(asked({ 'retry-after-ms': 'soon', 'retry-after': '3' }), 3000);
  assert.equal(asked({ 'retry-after': '0' }), 0);
  assert.equal(asked({ 'retry-after': '-3' }), 0, 'a negative wait is none');
  assert.equal(asked({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }), 0, 'a date passed is no wait');
  assert.equal(asked({ 'retry-after': 'later' }), undefined);
  assert.equal(asked({}), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
});

test('below HTTP: silence is retried, the request deadline is not, a refused connection says so', () => {
  const silent = transportError('m at x', new Error('aborted'), { kind: 'silence', ms: 300 });
  assert.deepEqual([silent.message, silent.retryable], ['m at x: no answer within 300 ms', true]);
  const late = transportError('m at x', new Error('aborted'), { kind: 'deadline', ms: 1500 });
  assert.deepEqual(
    [late.message, late.retryable],
    ['m at x: no complete answer within the request deadline of 1500 ms', false],
  );
  const refused = transportError('m at x', new Error('ECONNREFUSED'), undefined);
  assert.deepEqual([refused.message, refused.retryable], ['m at x: connection failed: ECONNREFUSED', true]);
  assert.equal(
    transportError('m at x', 'socket hang up', undefined).message,
    'm at x: connection failed: socket hang up',
  );
  const http = new EndpointError('m at x: HTTP 400: bad', false, 400);
  assert.equal(transportError('m at x', http, undefined), http, 'an HTTP failure stays what it was');
  assert.equal(String(http), 'EndpointError: m at x: HTTP 400: bad');
});
