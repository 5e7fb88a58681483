/**
 * Keys reach the endpoint and nothing else: how an endpoint authenticates (a key as Bearer, a URL's
 * user:pass@ as Basic), and that no credential shows in a message, even one a server quotes back.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ChatEndpoint } from '../../src/llm/chat.js';
import { endpointAccess, errorText, redact, rememberSecret } from '../../src/llm/credentials.js';
import { type Stub, startStub } from '../fixtures/stubServer.js';

const stubs: Stub[] = [];
after(() => Promise.all(stubs.map((stub) => stub.close())));

const basic = (userinfo: string) => `Basic ${Buffer.from(userinfo).toString('base64')}`;

test('a key is sent as a Bearer token; without one, no Authorization at all', () => {
  assert.deepEqual(endpointAccess('http://h.example/v1', 'k-77aa'), {
    baseUrl: 'http://h.example/v1',
    headers: { authorization: 'Bearer k-77aa' },
  });
  assert.deepEqual(endpointAccess('http://h.example/v1', undefined), {
    baseUrl: 'http://h.example/v1',
    headers: {},
  });
  assert.deepEqual(endpointAccess('h.example/v1', 'k-77aa'), {
    baseUrl: 'h.example/v1',
    headers: { authorization: 'Bearer k-77aa' },
  });
});

test('a user name alone, or a password alone, in the URL is sent as Basic auth and taken out of it', () => {
  assert.deepEqual(endpointAccess('http://tok123@h.example/v1', undefined), {
    baseUrl: 'http://h.example/v1',
    headers: { authorization: basic('tok123:') },
  });
  assert.deepEqual(endpointAccess('http://:pw-4567@h.example/v1', undefined), {
    baseUrl: 'http://h.example/v1',
    headers: { authorization: basic(':pw-4567') },
  });
  // A password that is not valid percent-encoding is sent as written.
  assert.deepEqual(endpointAccess('http://ann:50%off@h.example/v1', undefined).headers, {
    authorization: basic('ann:50%off'),
  });
  assert.throws(
    () => endpointAccess('http://ann:pw-4567@h.example/v1', 'k-77aa'),
    (error: Error) =>
      error.message ===
      'http://h.example/v1: the base URL carries a user name and password and an API key is set for it too; ' +
        'only one Authorization can be sent, so remove one of them',
  );
});

test('a server quoting back the Basic token or password of a URL shows neither', async () => {
  const stub = await startStub({
    chat: (_body, call) => ({
      fault: {
        kind: 'status',
        status: 401,
        message: call === 0 ? 'bad credentials' : 'bad password q%20z-secret-9 q z-secret-9',
        ...(call === 0 ? { echo: 'token' as const } : {}),
      },
    }),
  });
  stubs.push(stub);
  const baseUrl = stub.baseUrl.replace('http://', 'http://ann:q%20z-secret-9@');
  const endpoint = new ChatEndpoint({ baseUrl, model: 'm', concurrency: 1, timeoutMs: 5000, maxRetries: 0 });
  const ask = { messages: [{ role: 'user' as const, content: 'q' }] };
  await assert.rejects(endpoint.complete(ask), (error: Error) => {
    assert.equal(error.message, `${endpoint.label}: HTTP 401: bad credentials [redacted]`);
    return true;
  });
  assert.equal(stub.requests[0]!.authorization, basic('ann:q z-secret-9'));
  await assert.rejects(endpoint.complete(ask), (error: Error) => {
    assert.equal(error.message, `${endpoint.label}: HTTP 401: bad password [redacted] [redacted]`);
    return true;
  });
});

test('a remembered key is hidden whole, even where a shorter one is part of it; keys under 4 characters are not', () => {
  rememberSecret('Tok3nShort');
  rememberSecret('Tok3nShortAndLonger');
  rememberSecret('Zq7');
  rememberSecret('Wq7x');
  assert.equal(redact('key Tok3nShortAndLonger, key Tok3nShort'), 'key [redacted], key [redacted]');
  assert.equal(redact('Zq7 and Wq7x'), 'Zq7 and [redacted]');
  assert.equal(errorText(new Error('got Wq7x')), 'got [redacted]');
  assert.equal(errorText('got Wq7x'), 'got [redacted]');
});

test('a token after Bearer or Basic is hidden however it is spaced', () => {
  assert.equal(redact('Authorization: Bearer  abc123def456'), 'Authorization: Bearer [redacted]');
  assert.equal(redact('Authorization: basic\tYW5uOnB3MTIz'), 'Authorization: basic [redacted]');
});
