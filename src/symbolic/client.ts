/**
 * Installs the symbolic answer check (src/core/symbolic.ts) behind `answersEquivalent`, with
 * compute-engine's parser in a worker thread (worker.mjs, bundled as dist/symbolic.js).
 *
 * Nothing is loaded until the normaliser first fails to decide a pair: installing costs nothing,
 * so the CLI and the extension host install it at start. The check stays synchronous (voting
 * needs it so): each parse is a message to the worker and an `Atomics.wait` on a shared flag,
 * bounded by a time limit after which the worker is stopped. Fingerprints are cached per answer,
 * so a vote over 64 samples parses each distinct answer once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { setSymbolicEquivalence } from '../core/answers.js';
import {
  type Fingerprint,
  fingerprint,
  fingerprintsEqual,
  toMathJson,
  worthParsing,
} from '../core/symbolic.js';

export interface SymbolicOptions {
  /** Longest wait for one parse; the worker is stopped after it. */
  parseTimeoutMs?: number;
  /** Longest wait for the worker to load compute-engine. */
  startTimeoutMs?: number;
  /** Time-outs after which the check is off for the rest of the process. */
  maxTimeouts?: number;
}

const DEFAULTS: Required<SymbolicOptions> = { parseTimeoutMs: 250, startTimeoutMs: 5000, maxTimeouts: 2 };
const CACHE_LIMIT = 4096;

/** dist/symbolic.js beside a bundle; worker.mjs beside this file when run from the sources. */
function workerScript(): string | null {
  for (const name of ['symbolic.js', 'worker.mjs']) {
    const path = join(__dirname, name);
    if (existsSync(path)) return path;
  }
  return null;
}

class ParserThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));

  constructor(script: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // No inherited flags: the worker needs no loader (tsx in the tests) and no inspector.
    this.worker = new Worker(script, {
      execArgv: [],
      // A runaway parse may not take the process's memory with it.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      workerData: { port: port2, flag: this.flag },
      transferList: [port2],
    });
    // A crashed worker sends no reply: the pending wait times out and stops it.
    this.worker.on('error', () => {});
    // Neither may keep a finished CLI run alive.
    this.worker.unref();
    this.port.unref();
  }

  /** The next reply, or 'timeout' (the worker is then stopped). */
  await(timeoutMs: number): unknown {
    if (Atomics.wait(this.flag, 0, 0, timeoutMs) === 'timed-out') {
      this.stop();
      return 'timeout';
    }
    Atomics.store(this.flag, 0, 0);
    return receiveMessageOnPort(this.port)?.message;
  }

  request(latex: string, timeoutMs: number): unknown {
    this.port.postMessage(latex);
    return this.await(timeoutMs);
  }

  stop(): void {
    void this.worker.terminate();
    this.port.close();
  }
}

interface State {
  options: Required<SymbolicOptions>;
  thread: ParserThread | null;
  timeouts: number;
  /** Set once the worker could not start or kept timing out: the normaliser decides alone. */
  off: boolean;
  cache: Map<string, Fingerprint | null>;
  stats: SymbolicStats;
}

export interface SymbolicStats {
  /** Answers sent to the parser. */
  parses: number;
  /** Milliseconds spent starting workers (loading compute-engine). */
  startMs: number;
  timeouts: number;
}

let state: State | null = null;

function startThread(current: State): ParserThread | null {
  const script = workerScript();
  if (script === null) {
    current.off = true;
    return null;
  }
  const started = performance.now();
  const thread = new ParserThread(script);
  const hello = thread.await(current.options.startTimeoutMs);
  current.stats.startMs += performance.now() - started;
  if (typeof hello !== 'object' || hello === null || !('ready' in hello) || hello.ready !== true) {
    if (hello !== 'timeout') thread.stop();
    current.off = true;
    return null;
  }
  return thread;
}

function parse(current: State, latex: string): unknown {
  current.thread ??= startThread(current);
  if (current.thread === null) return null;
  current.stats.parses += 1;
  const reply = current.thread.request(latex, current.options.parseTimeoutMs);
  if (reply === 'timeout') {
    current.thread = null;
    current.timeouts += 1;
    current.stats.timeouts += 1;
    if (current.timeouts >= current.options.maxTimeouts) current.off = true;
    return null;
  }
  return typeof reply === 'object' && reply !== null && 'json' in reply ? reply.json : null;
}

function lookup(current: State, latex: string): Fingerprint | null {
  const cached = current.cache.get(latex);
  if (cached !== undefined) return cached;
  let result: Fingerprint | null = null;
  if (!current.off && worthParsing(latex)) {
    const json = toMathJson(parse(current, latex));
    result = json === null ? null : fingerprint(latex, json);
  }
  if (current.cache.size >= CACHE_LIMIT) current.cache.clear();
  current.cache.set(latex, result);
  return result;
}

/** Makes `answersEquivalent` fall back to the symbolic check; a second call starts afresh. */
export function installSymbolicEquivalence(options: SymbolicOptions = {}): void {
  uninstallSymbolicEquivalence();
  const current: State = {
    options: { ...DEFAULTS, ...options },
    thread: null,
    timeouts: 0,
    off: false,
    cache: new Map(),
    stats: { parses: 0, startMs: 0, timeouts: 0 },
  };
  state = current;
  setSymbolicEquivalence((a, b) => {
    const left = lookup(current, a);
    const right = left === null ? null : lookup(current, b);
    return right !== null && fingerprintsEqual(left!, right);
  });
}

export function uninstallSymbolicEquivalence(): void {
  setSymbolicEquivalence(null);
  state?.thread?.stop();
  state = null;
}

/** What the installed check has done so far (for measurements); null when none is installed. */
export function symbolicStats(): SymbolicStats | null {
  return state === null ? null : { ...state.stats };
}
