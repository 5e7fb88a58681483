/**
 * One OpenAI-compatible chat endpoint (vLLM, OpenAI, DeepSeek, …) through the `openai` package.
 * The SDK is the transport; every response is validated here with zod, since reasoning fields
 * (`reasoning_content`, `reasoning`) and logprobs vary between servers. Retries, timeouts and the
 * concurrency limit are StepLens's own (the SDK's retries are off) so that a stream cut midway is
 * retried for just the choices it had not finished.
 */
import type OpenAI from 'openai';
import { z } from 'zod';
import {
  EndpointError,
  errorBodyMessage,
  isCancelled,
  isRetryableStatus,
  parseRetryAfter,
  transportError,
} from './errors.js';
import { Limiter } from './limiter.js';
import {
  endpointKey,
  endpointLabel,
  type ReplicaAccess,
  type ReplicaBackoff,
  Replicas,
  replicaAccesses,
  withReplicas,
} from './replicas.js';
import {
  type AttemptAdmission,
  type EndpointRetrySettings,
  type RetryEvent,
  retryPolicy,
  type TimedOut,
} from './retry.js';

export interface ChatEndpointOptions extends EndpointRetrySettings {
  /** One base URL, or the base URLs of the endpoint's replicas (requests are spread over them). */
  baseUrl: string | readonly string[];
  model: string;
  /** One key for every replica, or each replica's own, in the order of `baseUrl`. */
  apiKey?: string | readonly (string | undefined)[];
  /** In flight at once across all replicas. */
  concurrency: number;
  /** How long a failing replica is left alone (default DEFAULT_REPLICA_BACKOFF). */
  replicaBackoff?: ReplicaBackoff;
  onRetry?: (event: RetryEvent & { endpoint: string }) => void;
  /** Every request attempt, before it is sent (see AttemptAdmission). */
  onAttempt?: (endpoint: string) => AttemptAdmission;
}

/** A replica of a chat endpoint: its access and its SDK client, made on first use. */
interface ChatReplica extends ReplicaAccess {
  client?: Promise<OpenAI>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  response_format?: {
    type: 'json_schema';
    json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean };
  };
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

export interface ChatChoice {
  content: string;
  /** The reasoning the server returned apart from the content, when it did. */
  reasoning?: string;
  finishReason: string | null;
  logprobs?: TokenLogprob[];
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  reasoningTokens?: number;
}

export interface ChatResult {
  choices: ChatChoice[];
  usage?: ChatUsage;
  latencyMs: number;
}

// ---------------------------------------------------------------------------------------------
// Wire schemas: only what StepLens reads, everything else passes.

const LogprobEntry = z.object({
  token: z.string(),
  logprob: z.number(),
  top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).nullish(),
});
const Logprobs = z.object({ content: z.array(LogprobEntry).nullish() }).nullish();
const UsageWire = z
  .object({
    prompt_tokens: z.number().int().min(0),
    completion_tokens: z.number().int().min(0),
    completion_tokens_details: z.object({ reasoning_tokens: z.number().int().min(0).nullish() }).nullish(),
  })
  .nullish();

const CompletionWire = z.object({
  choices: z.array(
    z.object({
      index: z.number().int().min(0),
      message: z.object({
        content: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        reasoning: z.string().nullish(),
      }),
      finish_reason: z.string().nullish(),
      logprobs: Logprobs,
    }),
  ),
  usage: UsageWire,
});

const ChunkWire = z.object({
  choices: z.array(
    z.object({
      index: z.number().int().min(0),
      delta: z
        .object({
          content: z.string().nullish(),
          reasoning_content: z.string().nullish(),
          reasoning: z.string().nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: UsageWire,
});

function toUsage(usage: z.infer<typeof UsageWire>): ChatUsage | undefined {
  if (!usage) return undefined;
  const reasoningTokens = usage.completion_tokens_details?.reasoning_tokens;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    ...(typeof reasoningTokens === 'number' ? { reasoningTokens } : {}),
  };
}

/** The tokens of two requests together: a reasoning count when either server gave one. */
export function addUsage(a: ChatUsage | undefined, b: ChatUsage | undefined): ChatUsage | undefined {
  if (!a || !b) return a ?? b;
  const reasoning = [a.reasoningTokens, b.reasoningTokens].filter((tokens) => tokens !== undefined);
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    ...(reasoning.length > 0 ? { reasoningTokens: reasoning.reduce((sum, tokens) => sum + tokens, 0) } : {}),
  };
}

function toLogprobs(logprobs: z.infer<typeof Logprobs>): TokenLogprob[] | undefined {
  const content = logprobs?.content;
  if (!content) return undefined;
  return content.map((entry) => ({
    token: entry.token,
    logprob: entry.logprob,
    top: (entry.top_logprobs ?? []).map((top) => ({ token: top.token, logprob: top.logprob })),
  }));
}

/**
 * fetch for the SDK, which keeps only the `error` field of an error body: an older vLLM's
 * {"message"}, FastAPI's {"detail"} or a proxy's page would reach the user as "400 status code (no
 * body)", quoted or whole. Every error body is boiled down to its message here, in OpenAI's shape.
 */
async function fetchWithReadableErrors(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (response.ok) return response;
  const message = errorBodyMessage(await response.text());
  return new Response(JSON.stringify({ error: { message } }), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * A non-streamed chat completion body as choices (by index) and tokens, or what is wrong with it.
 * The online client and a batch engine's output (vLLM run-batch, the OpenAI Batch API) read alike.
 */
export function parseCompletion(raw: unknown): Omit<ChatResult, 'latencyMs'> | string {
  const parsed = CompletionWire.safeParse(raw);
  // Stryker disable next-line OptionalChaining: a failed parse always has an issue
  if (!parsed.success) return `unexpected response shape (${parsed.error.issues[0]?.message})`;
  const choices = [...parsed.data.choices]
    .sort((a, b) => a.index - b.index)
    .map((choice) => {
      const logprobs = toLogprobs(choice.logprobs);
      const reasoning = choice.message.reasoning_content ?? choice.message.reasoning;
      return {
        content: choice.message.content ?? '',
        ...(reasoning ? { reasoning } : {}),
        finishReason: choice.finish_reason ?? null,
        ...(logprobs ? { logprobs } : {}),
      };
    });
  const usage = toUsage(parsed.data.usage);
  return { choices, ...(usage ? { usage } : {}) };
}

// ---------------------------------------------------------------------------------------------

/** What an endpoint was found to refuse, remembered for the life of the process. */
const refusesMultipleChoices = new Set<string>();

/** Raised inside an attempt when the server answered 200 with a body StepLens cannot use. */
class MalformedResponse extends Error {}

/** What the retry loop throws: an EndpointError, or on cancel a CancelledError (no status). */
function isNRefusal(error: unknown): boolean {
  const { status, message } = error as EndpointError;
  return (status === 400 || status === 422) && /\bn\b|'n'|"n"|multiple (choices|completions)/i.test(message);
}

export class ChatEndpoint {
  private readonly limiter: Limiter;
  private readonly replicas: Replicas<ChatReplica>;
  /** The endpoint (all its replicas) as messages name it: model and URLs, without credentials. */
  readonly label: string;
  readonly key: string;

  constructor(readonly options: ChatEndpointOptions) {
    this.limiter = new Limiter(options.concurrency);
    const accesses = replicaAccesses(options.model, options.baseUrl, options.apiKey);
    this.replicas = new Replicas<ChatReplica>(accesses, options.replicaBackoff);
    this.label = endpointLabel(options.model, accesses);
    this.key = endpointKey(options.model, accesses);
  }

  /** False once the endpoint has refused (or ignored) `n > 1`; then N single requests are sent. */
  get acceptsMultipleChoices(): boolean {
    return !refusesMultipleChoices.has(this.key);
  }

  private sdk(replica: ChatReplica): Promise<OpenAI> {
    // Loaded on first use: the extension host activates without paying for the SDK.
    replica.client ??= import('openai').then(
      ({ default: OpenAIClient }) =>
        new OpenAIClient({
          baseURL: replica.baseUrl,
          // Local servers need no key, but the SDK insists on one; the placeholder unlocks nothing.
          apiKey: replica.apiKey ?? 'none',
          // The Authorization StepLens decided on (Basic for a URL's user:pass@) wins over the SDK's.
          defaultHeaders: replica.headers,
          maxRetries: 0,
          // StepLens's own signal times each attempt (and counts a stream's silence, not its length).
          timeout: 2 ** 31 - 1,
          fetch: fetchWithReadableErrors,
        }),
    );
    return replica.client;
  }

  /** What an attempt's failure means, naming the replica it happened on. */
  private toEndpointError = (
    replica: ChatReplica,
    error: unknown,
    timedOut: TimedOut | undefined,
  ): EndpointError => {
    const { label } = replica;
    // The SDK ends an aborted stream quietly, so what surfaces then is "the stream ended early".
    if (timedOut) return transportError(label, error, timedOut);
    if (error instanceof MalformedResponse) return new EndpointError(`${label}: ${error.message}`, true);
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number') {
      // Every error body reaches the SDK as {"error": {"message"}} (fetchWithReadableErrors).
      const { message } = (error as { error: { message: string } }).error;
      const headers = (error as { headers?: Headers }).headers;
      return new EndpointError(
        `${label}: HTTP ${status}: ${message}`,
        isRetryableStatus(status),
        status,
        parseRetryAfter(headers),
      );
    }
    return transportError(label, error, timedOut);
  };

  /** Each attempt on the replica the spreading picks, with that replica's SDK client. */
  private retrying<T>(
    attempt: (client: OpenAI, signal: AbortSignal, stillAlive: () => void) => Promise<T>,
    signal?: AbortSignal,
    /** Served before requests that are not (the limiter's first lane). */
    first = false,
  ): Promise<T> {
    return withReplicas(
      this.replicas,
      async (replica, attemptSignal, stillAlive) =>
        attempt(await this.sdk(replica), attemptSignal, stillAlive),
      {
        policy: retryPolicy(this.options),
        signal,
        toEndpointError: this.toEndpointError,
        onRetry: (event) => this.options.onRetry?.({ ...event, endpoint: this.label }),
        onAttempt: () => this.options.onAttempt?.(this.label),
        gate: (task, gateSignal) => this.limiter.run(task, { first, signal: gateSignal }),
      },
    );
  }

  private body(request: ChatRequest, n: number): Record<string, unknown> {
    return { model: this.options.model, ...request, ...(n > 1 ? { n } : {}) };
  }

  /** One non-streaming request for `n` choices, retried; the limiter holds one slot per attempt. */
  private async completeOnce(request: ChatRequest, n: number, signal?: AbortSignal): Promise<ChatResult> {
    return this.retrying(async (client, attemptSignal) => {
      const started = performance.now();
      const raw: unknown = await client.chat.completions.create(
        this.body(request, n) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
        { signal: attemptSignal },
      );
      const parsed = parseCompletion(raw);
      if (typeof parsed === 'string') throw new MalformedResponse(parsed);
      return { ...parsed, latencyMs: performance.now() - started };
    }, signal);
  }

  /**
   * `n` choices for one prompt: one request with `n` where the endpoint takes it, else n requests.
   * An endpoint that refuses `n` (HTTP 400) or silently returns fewer choices is remembered.
   */
  async complete(request: ChatRequest, n = 1, signal?: AbortSignal): Promise<ChatResult> {
    if (n > 1 && this.acceptsMultipleChoices) {
      try {
        const result = await this.completeOnce(request, n, signal);
        if (result.choices.length >= n) return result;
        refusesMultipleChoices.add(this.key);
        const rest = await this.completeSingly(request, n - result.choices.length, signal);
        const usage = addUsage(result.usage, rest.usage);
        return {
          choices: [...result.choices, ...rest.choices],
          ...(usage ? { usage } : {}),
          latencyMs: Math.max(result.latencyMs, rest.latencyMs),
        };
      } catch (error) {
        if (!isNRefusal(error)) throw error;
        refusesMultipleChoices.add(this.key);
      }
    }
    if (n > 1) return this.completeSingly(request, n, signal);
    return this.completeOnce(request, 1, signal);
  }

  private async completeSingly(request: ChatRequest, n: number, signal?: AbortSignal): Promise<ChatResult> {
    const results = await Promise.all(Array.from({ length: n }, () => this.completeOnce(request, 1, signal)));
    const usage = results.reduce<ChatUsage | undefined>(
      (sum, result) => addUsage(sum, result.usage),
      undefined,
    );
    return {
      choices: results.flatMap((result) => result.choices),
      ...(usage ? { usage } : {}),
      latencyMs: Math.max(...results.map((result) => result.latencyMs)),
    };
  }

  /**
   * Streams one request for `slots.length` choices and reports each the moment its finish_reason
   * arrives. A failed attempt (cut stream, 5xx, no chunk for timeoutMs) is retried for the slots
   * still open only. Returns the slots left open because the endpoint refused or ignored `n`; throws
   * when retries run out (slots reported before that stay done). On cancel, each open slot's text
   * streamed so far goes to `onCancelled` before the CancelledError is thrown. Streams (sampling)
   * are admitted before the endpoint's other queued requests (critiques).
   */
  async stream(
    request: ChatRequest,
    slots: readonly number[],
    handlers: StreamHandlers,
    signal?: AbortSignal,
  ): Promise<number[]> {
    const open = [...slots];
    /** Each slot's text in the latest attempt that streamed it. */
    const parts = new Map<number, StreamedPart>();
    try {
      await this.retrying(
        (client, attemptSignal, stillAlive) =>
          this.streamAttempt(client, request, open, parts, handlers, attemptSignal, stillAlive),
        signal,
        // Sampling goes first: its samples are the work that keeps the slots busy next (in a
        // dataset run, the critiques of the problems in flight would hold it back otherwise).
        true,
      );
    } catch (error) {
      if (isCancelled(error)) {
        for (const slot of open) {
          const part = parts.get(slot);
          if (part && (part.content !== '' || part.reasoning !== ''))
            handlers.onCancelled?.(slot, {
              content: part.content,
              ...(part.reasoning ? { reasoning: part.reasoning } : {}),
            });
        }
      }
      if (!(slots.length > 1 && isNRefusal(error))) throw error;
      refusesMultipleChoices.add(this.key);
    }
    return open;
  }

  private async streamAttempt(
    client: OpenAI,
    request: ChatRequest,
    open: number[],
    parts: Map<number, StreamedPart>,
    handlers: StreamHandlers,
    signal: AbortSignal,
    stillAlive: () => void,
  ): Promise<void> {
    const started = performance.now();
    const wanted = [...open];
    // A retry starts the slots it asks for again.
    for (const slot of wanted) parts.delete(slot);
    const stream = await client.chat.completions.create(
      {
        ...(this.body(request, wanted.length) as unknown as OpenAI.ChatCompletionCreateParamsStreaming),
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    let usage: ChatUsage | undefined;
    const report = (slot: number) => {
      const part = parts.get(slot)!;
      open.splice(open.indexOf(slot), 1);
      handlers.onChoice(slot, {
        content: part.content,
        ...(part.reasoning ? { reasoning: part.reasoning } : {}),
        finishReason: part.finishReason,
        latencyMs: performance.now() - started,
        // Usage comes in the stream's last chunk and covers all its choices: per sample only when n = 1.
        ...(usage && wanted.length === 1 ? { usage } : {}),
      });
    };
    for await (const raw of stream as AsyncIterable<unknown>) {
      stillAlive();
      const parsed = ChunkWire.safeParse(raw);
      if (!parsed.success)
        // Stryker disable next-line OptionalChaining: a failed parse always has an issue
        throw new MalformedResponse(`unexpected stream chunk (${parsed.error.issues[0]?.message})`);
      usage = toUsage(parsed.data.usage) ?? usage;
      for (const choice of parsed.data.choices) {
        const slot = wanted[choice.index]!;
        // A choice not asked for (past n) or already reported: `open` holds neither.
        if (!open.includes(slot)) continue;
        const part = parts.get(slot) ?? { content: '', reasoning: '', finishReason: null };
        part.content += choice.delta?.content ?? '';
        part.reasoning += choice.delta?.reasoning_content ?? choice.delta?.reasoning ?? '';
        parts.set(slot, part);
        handlers.onProgress?.(slot, part.content.length + part.reasoning.length);
        if (choice.finish_reason) {
          part.finishReason = choice.finish_reason;
          if (wanted.length > 1) report(slot);
        }
      }
    }
    if (wanted.length === 1 && parts.get(wanted[0]!)?.finishReason) report(wanted[0]!);
    // A request for several samples: its usage is the request's, reported once, after its choices.
    if (wanted.length > 1 && usage) handlers.onUsage?.(usage);
    if (open.length === 0) return;
    const seen = wanted.filter((slot) => parts.has(slot));
    const allSeenFinished = seen.every((slot) => parts.get(slot)!.finishReason !== null);
    if (wanted.length > 1 && seen.length > 0 && seen.length < wanted.length && allSeenFinished) {
      // Every choice the server started, it finished: it answers fewer choices than asked (ignores n).
      refusesMultipleChoices.add(this.key);
      return;
    }
    throw new MalformedResponse(
      `the stream ended before ${open.length} of ${wanted.length} choice(s) finished`,
    );
  }
}

interface StreamedPart {
  content: string;
  reasoning: string;
  finishReason: string | null;
}

/** What an unfinished choice had streamed when the caller cancelled. */
export interface PartialChoice {
  content: string;
  reasoning?: string;
}

export interface StreamHandlers {
  onChoice: (slot: number, choice: ChatChoice & { latencyMs: number; usage?: ChatUsage }) => void;
  onProgress?: (slot: number, characters: number) => void;
  /** On cancel, once for each slot left open that had streamed any text. */
  onCancelled?: (slot: number, partial: PartialChoice) => void;
  /** The tokens of a request that streamed several choices (a one-choice request's go with its choice). */
  onUsage?: (usage: ChatUsage) => void;
}
