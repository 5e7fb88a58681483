/**
 * Keys must reach the endpoint and nothing else: not a run file, a log, a terminal or an exported
 * page. Servers quote them back ("Incorrect API key provided: sk-…") and users put them in URLs
 * (`https://user:pass@host`), so every endpoint client remembers the credentials it was built with,
 * and every error that becomes text (EndpointError's message, `errorText`) passes through `redact`.
 */
import { URL_USERINFO, urlWithoutCredentials } from '../core/config.js';

export const REDACTED = '[redacted]';

/** Shorter values are not worth hiding at the price of mangling every message that contains them. */
const MIN_SECRET_LENGTH = 4;

/** Every credential an endpoint was built with in this process; a key once seen stays hidden. */
const secrets = new Set<string>();

export function rememberSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/**
 * `Bearer <token>` / `Basic <token>`: a token-like word after the scheme (8+ characters, a digit
 * among them) is a credential; "Missing bearer token" or "Basic authentication" stay readable.
 */
const AUTHORIZATION = /\b(Bearer|Basic)\s+(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{8,}=*/gi;
/** OpenAI-style keys (sk-…, sk-proj-…), also from endpoints StepLens was not told about. */
const KEY_SHAPED = /\bsk-[A-Za-z0-9_-]{8,}/g;

/** The text with every remembered credential, every bearer/basic token and key-shaped string hidden. */
export function redact(text: string): string {
  let result = text;
  // Longest first, so a key that contains another is hidden whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length))
    result = result.split(secret).join(REDACTED);
  return result
    .replace(URL_USERINFO, '$1')
    .replace(AUTHORIZATION, `$1 ${REDACTED}`)
    .replace(KEY_SHAPED, REDACTED);
}

/** An error as text that may be stored, logged or printed. */
export function errorText(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}

export interface EndpointAccess {
  /** The base URL without credentials: what requests go to, and what labels and run files show. */
  baseUrl: string;
  /** The Authorization header, when there is one to send. */
  headers: { authorization?: string };
}

function decoded(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}

/**
 * Where an endpoint's requests go and how they authenticate. An API key is sent as a Bearer token.
 * `user:pass@` in the base URL is sent as HTTP Basic auth (as curl, browsers and httpx do) and taken
 * out of the URL. Both at once would need two Authorization headers: refused, with the reason.
 */
export function endpointAccess(baseUrl: string, apiKey: string | undefined): EndpointAccess {
  rememberSecret(apiKey);
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {}
  if (!url || (url.username === '' && url.password === '')) {
    return { baseUrl, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} };
  }
  const password = decoded(url.password);
  const token = Buffer.from(`${decoded(url.username)}:${password}`).toString('base64');
  for (const secret of [url.password, password, token]) rememberSecret(secret);
  const bare = urlWithoutCredentials(baseUrl);
  if (apiKey) {
    throw new Error(
      `${bare}: the base URL carries a user name and password and an API key is set for it too; ` +
        'only one Authorization can be sent, so remove one of them',
    );
  }
  return { baseUrl: bare, headers: { authorization: `Basic ${token}` } };
}
