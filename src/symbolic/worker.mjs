// The parsing half of the symbolic answer check, in its own thread: compute-engine's LaTeX parser
// can take exponential time on a malformed answer, and only a thread can be stopped mid-parse.
// Plain JavaScript so that Node runs it as is from the sources (the tests) and esbuild bundles it
// into dist/symbolic.js; the client (client.ts) waits for each reply synchronously.
//
// Protocol: workerData holds a MessagePort and a shared Int32Array flag. One reply per request
// (first to the start-up, then to each LaTeX string), each followed by setting the flag to 1.
import { workerData } from 'node:worker_threads';
import { ComputeEngine } from '@cortex-js/compute-engine';

const { port, flag } = workerData;

function reply(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

let engine;
try {
  engine = new ComputeEngine();
  reply({ ready: true });
} catch (error) {
  reply({ ready: false, error: String(error) });
}

port.on('message', (latex) => {
  try {
    reply({ json: engine.parse(String(latex), { canonical: false }).json });
  } catch (error) {
    reply({ error: String(error) });
  }
});
