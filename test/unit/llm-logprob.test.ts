/**
 * The judges that read one token's probability, over the wire: stepwise Self-PRM (P("Yes") that a
 * step is correct, also after a reasoning model's thinking) and RLHFlow PRMs (P("+") after each step).
 * The step scores a user sees for a given logprobs response, and why a step has none.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Judgement } from '../../src/core/schemas.js';
import { ChatEndpoint } from '../../src/llm/chat.js';
import { judgeRlhflow, judgeRlhflowProcessBench, judgeStepwise } from '../../src/llm/logprobJudges.js';
import type {
  ChatReply,
  ChatRequestBody,
  ScriptedChoice,
  Stub,
  StubOptions,
} from '../fixtures/stubServer.js';
import { stubsPerFile } from '../fixtures/stubsPerFile.js';

const stub = stubsPerFile();

/** A fresh endpoint (what an endpoint was found to do is remembered per endpoint). */
async function endpointFor(chat: NonNullable<StubOptions['chat']>) {
  const server = await stub({ chat });
  const endpoint = new ChatEndpoint({
    baseUrl: server.baseUrl,
    model: 'judge-model',
    concurrency: 4,
    timeoutMs: 5000,
    maxRetries: 0,
  });
  return { server, endpoint };
}

type WireToken = NonNullable<ScriptedChoice['logprobs']>[number];

/** A generated token and its top alternatives with their probabilities, as OpenAI's logprobs.content. */
function token(sampled: string, alternatives: [string, number][] = [[sampled, 1]]): WireToken {
  const top = alternatives.map(([name, p]) => ({ token: name, logprob: Math.log(p) }));
  return { token: sampled, logprob: top.find((t) => t.token === sampled)?.logprob ?? 0, top_logprobs: top };
}

const text = (tokens: WireToken[]) => tokens.map((t) => t.token).join('');
const reply = (choice: ScriptedChoice): ChatReply => ({ choices: [choice] });
const bodies = (server: Stub) => server.requests.map((request) => request.body as ChatRequestBody);
const stepAsked = (body: ChatRequestBody) =>
  Number(/Is paragraph (\d+) correct/.exec(body.messages[0]!.content)?.[1]);
const rounded = (judgement: Judgement) =>
  judgement.stepScores.map((score) => (score === null ? null : Math.round(score * 1000) / 1000));

const settings = { threshold: 0.5, maxTokens: 4096, temperature: 0.6 };
const HINT = 'stepwise mode does not apply to this model: use selfJudge.mode "critic"';

describe('stepwise Self-PRM', () => {
  test('P(Yes) per step from the top logprobs: spellings summed, look-alikes ignored; exactly τ is no error', async () => {
    const firstTokens = [
      token(' Yes', [
        [' Yes', 0.6],
        [' No', 0.2],
        ['eyes', 0.1],
        ['Uno', 0.1],
      ]),
      token('yes', [
        ['yes', 0.25],
        ['NO', 0.25],
        ['Maybe', 0.5],
      ]),
      token('No', [
        ['No', 0.9],
        ['Yes', 0.1],
      ]),
    ];
    const { server, endpoint } = await endpointFor((body) => {
      const first = firstTokens[stepAsked(body)]!;
      return reply({ content: first.token, finish_reason: 'length', logprobs: [first] });
    });
    const steps = ['Six times seven.', 'Is 42.', 'So \\boxed{41}.'];
    const before = performance.now();
    const judgement = await judgeStepwise(endpoint, 'What is 6 times 7?', steps, settings);
    const elapsed = performance.now() - before;
    assert.deepEqual(rounded(judgement), [0.75, 0.5, 0.1]);
    assert.equal(judgement.firstError, 2);
    assert.equal(judgement.error, undefined);
    assert.equal('unscoredFrom' in judgement, false);
    const latency = judgement.latencyMs ?? Number.NaN;
    assert.ok(latency >= 0 && latency <= elapsed, `latency ${latency} of a call that took ${elapsed}`);
    // One question per step: the step and the ones before it, one token back with its alternatives.
    const asked = bodies(server).sort((a, b) => stepAsked(a) - stepAsked(b));
    assert.equal(asked.length, 3);
    assert.deepEqual(asked[1]!.messages, [
      {
        role: 'user',
        content: [
          '[Problem]',
          '',
          'What is 6 times 7?',
          '',
          '[Solution so far]',
          '',
          '<paragraph_0>\nSix times seven.\n</paragraph_0>\n\n<paragraph_1>\nIs 42.\n</paragraph_1>',
          '',
          'Is paragraph 1 correct, given the problem and the paragraphs before it? Answer Yes or No.',
        ].join('\n'),
      },
    ]);
    for (const body of asked)
      assert.deepEqual(
        [body.max_tokens, body.temperature, body.logprobs, body.top_logprobs],
        [1, 0, true, 10],
      );
  });

  test('an endpoint that returns only the sampled token: Yes scores 1, No scores 0', async () => {
    const { endpoint } = await endpointFor((body) => {
      const sampled = stepAsked(body) === 0 ? 'Yes' : 'No';
      return reply({ content: sampled, logprobs: [{ token: sampled, logprob: -0.1, top_logprobs: [] }] });
    });
    const judgement = await judgeStepwise(endpoint, 'P', ['a', 'b'], settings);
    assert.deepEqual(judgement.stepScores, [1, 0]);
    assert.equal(judgement.firstError, 1);
  });

  const noScore: [string, ScriptedChoice | undefined, string][] = [
    [
      'a first token that is neither',
      { content: 'Maybe', logprobs: [token('Maybe', [['Maybe', 0.7]])] },
      'the first token ("Maybe") had neither "Yes" nor "No" among its top logprobs',
    ],
    ['an empty reply', { content: '', logprobs: [] }, 'the reply had no tokens'],
  ];
  for (const [what, choice, why] of noScore) {
    test(`${what}: no step scored is an error on the sample, saying why — never "no error"`, async () => {
      const { endpoint } = await endpointFor(() => reply(choice!));
      const judgement = await judgeStepwise(endpoint, 'P', ['a', 'b'], settings);
      assert.deepEqual(judgement.stepScores, [null, null]);
      assert.equal(judgement.firstError, null);
      assert.equal(judgement.error, `stepwise Self-PRM scored no step: ${why}; ${HINT}`);
    });
  }

  test('an endpoint without logprobs: the judgement fails, saying the judge needs them', async () => {
    for (const answer of [reply({ content: 'Yes' }), { choices: [] }]) {
      const { endpoint } = await endpointFor(() => answer);
      await assert.rejects(judgeStepwise(endpoint, 'P', ['a'], settings), {
        message: `${endpoint.label} returned no logprobs; this judge needs an endpoint that does`,
      });
    }
  });

  test('a reasoning model without logprobs: the judgement fails, pointing to the critic mode', async () => {
    const { endpoint } = await endpointFor(() =>
      reply({ content: '\n<think>\nLet me check paragraph 0.', finish_reason: 'length' }),
    );
    await assert.rejects(judgeStepwise(endpoint, 'P', ['a'], settings), {
      message: `${endpoint.label} reasons before answering and returned no logprobs for its answer; ${HINT}`,
    });
  });
});

describe('stepwise Self-PRM with a reasoning model', () => {
  const opens = reply({ content: '<think>', finish_reason: 'length', logprobs: [token('<think>')] });
  const yes = (p: number) =>
    token('Yes', [
      ['Yes', p],
      ['No', 1 - p],
    ]);

  test('the model may reason (maxTokens, its temperature) and P(Yes) is read after </think>; learnt once per endpoint', async () => {
    const { server, endpoint } = await endpointFor((body) => {
      if (body.max_tokens === 1) return opens;
      const tokens = [token('<think>'), token('Hmm'), yes(0.99), token('</think>'), token('\n\n'), yes(0.8)];
      return reply({ content: text(tokens), logprobs: tokens });
    });
    const first = await judgeStepwise(endpoint, 'P', ['a'], settings);
    const second = await judgeStepwise(endpoint, 'Q', ['b'], settings);
    for (const judgement of [first, second]) assert.deepEqual(rounded(judgement), [0.8]);
    const sent = bodies(server);
    assert.equal(sent.filter((body) => body.max_tokens === 1).length, 1, 'the probe goes out once');
    assert.deepEqual(
      sent
        .filter((body) => body.max_tokens !== 1)
        .map((body) => [body.max_tokens, body.temperature, body.logprobs, body.top_logprobs]),
      [
        [4096, 0.6, true, 10],
        [4096, 0.6, true, 10],
      ],
    );
  });

  const t = (...tokens: string[]) => tokens.map((name) => token(name));
  const cases: [string, ChatReply, string][] = [
    [
      'reasoning that stops without an answer',
      reply({ content: '<think>Hmm', finish_reason: 'stop', logprobs: t('<think>', 'Hmm') }),
      'the reply had no answer after the reasoning',
    ],
    [
      'reasoning cut off, the server having stripped <think> from the content',
      reply({ content: 'Hmm Yes', finish_reason: 'length', logprobs: t('<think>', 'Hmm', ' Yes') }),
      "the reasoning did not finish within 4096 tokens (the Self-PRM's maxTokens)",
    ],
    [
      'reasoning returned apart and a blank answer',
      reply({ content: '\n\n', reasoning_content: 'Okay', logprobs: t('Okay', '\n\n') }),
      'the reply had no answer after the reasoning',
    ],
    [
      'an answer the logprobs do not cover',
      reply({ content: 'Yes', reasoning_content: 'Okay', logprobs: t('Okay', '.') }),
      'the answer is not among the tokens the logprobs cover',
    ],
    [
      'a long answer with neither Yes nor No',
      reply({
        content: `<think>Hmm</think>\n\n${'It depends on the reading of the problem statement. '.repeat(3)}`,
        logprobs: t(
          '<think>',
          'Hmm',
          '</think>',
          '\n\n',
          'It depends on the reading of the problem statement. '.repeat(3),
        ),
      }),
      // Shown trimmed, and cut at 60 characters.
      'the answer after the reasoning ("It depends on the reading of the problem statement. It depen") has neither "Yes" nor "No"',
    ],
  ];
  for (const [what, answer, why] of cases) {
    test(`${what}: no score, and why`, async () => {
      const { endpoint } = await endpointFor((body) => (body.max_tokens === 1 ? opens : answer));
      const judgement = await judgeStepwise(endpoint, 'P', ['a'], settings);
      assert.deepEqual(judgement.stepScores, [null]);
      assert.equal(judgement.error, `stepwise Self-PRM scored no step: ${why}; ${HINT}`);
    });
  }

  test('the reasoning request answered without logprobs: the judgement fails, pointing to the critic mode', async () => {
    for (const answer of [reply({ content: '<think>Hmm</think>Yes' }), { choices: [] }]) {
      const { endpoint } = await endpointFor((body) => (body.max_tokens === 1 ? opens : answer));
      await assert.rejects(judgeStepwise(endpoint, 'P', ['a'], settings), {
        message: `${endpoint.label} reasons before answering and returned no logprobs for its answer; ${HINT}`,
      });
    }
  });
});

describe('RLHFlow PRM', () => {
  test('P("+") after each step, in a multi-turn chat: "+"/"-" with spaces count, "++"/"--" do not', async () => {
    const answers = [
      token('+ ', [
        ['+ ', 0.6],
        ['++', 0.2],
        [' -', 0.2],
      ]),
      token(' -', [
        [' -', 0.6],
        ['--', 0.2],
        [' +', 0.2],
      ]),
    ];
    const { server, endpoint } = await endpointFor((body) => {
      const first = answers[(body.messages.length - 1) / 2]!;
      return reply({ content: first.token, logprobs: [first] });
    });
    const judgement = await judgeRlhflow(endpoint, 'What is 6 times 7?', ['Is 42.', 'So 41.'], 4096, 0.5);
    assert.deepEqual(rounded(judgement), [0.75, 0.25]);
    assert.equal(judgement.firstError, 1);
    assert.equal('unscoredFrom' in judgement, false);
    const second = bodies(server).find((body) => body.messages.length === 3)!;
    assert.deepEqual(second.messages, [
      { role: 'user', content: 'What is 6 times 7? Is 42.' },
      { role: 'assistant', content: '+' },
      { role: 'user', content: 'So 41.' },
    ]);
  });

  test('steps past the input budget are asked about by no one and marked unscored', async () => {
    const { server, endpoint } = await endpointFor(() =>
      reply({
        content: '+',
        logprobs: [
          token('+', [
            ['+', 0.9],
            ['-', 0.1],
          ]),
        ],
      }),
    );
    // 32 tokens of overhead, 1 for the problem, 12 per step: two steps fit in 60.
    const steps = ['x'.repeat(30), 'y'.repeat(30), 'z'.repeat(30)];
    const judgement = await judgeRlhflow(endpoint, 'P', steps, 60, 0.5);
    assert.deepEqual(rounded(judgement), [0.9, 0.9, null]);
    assert.equal(judgement.unscoredFrom, 2);
    assert.equal(server.requests.length, 2);
  });

  test('a problem longer than the budget: no step scored is an error saying so, and nothing is sent', async () => {
    const { server, endpoint } = await endpointFor(() => reply({ content: '+', logprobs: [token('+')] }));
    const judgement = await judgeRlhflow(endpoint, 'P'.repeat(300), ['a', 'b'], 60, 0.5);
    assert.deepEqual(judgement.stepScores, [null, null]);
    assert.equal(judgement.firstError, null);
    assert.equal(judgement.unscoredFrom, 0);
    assert.equal(judgement.error, `${endpoint.label} scored no step: no step fit the input budget`);
    assert.equal(server.requests.length, 0);
  });

  test('an endpoint without logprobs: the judgement fails, saying the judge needs them', async () => {
    for (const answer of [reply({ content: '+' }), { choices: [] }]) {
      const { endpoint } = await endpointFor(() => answer);
      await assert.rejects(judgeRlhflow(endpoint, 'P', ['a'], 4096, 0.5), {
        message: `${endpoint.label} returned no logprobs; this judge needs an endpoint that does`,
      });
    }
  });
});

describe('RLHFlow as ProcessBench scores it', () => {
  test('one greedy token per step until the first that does not start with "+"; later steps unasked', async () => {
    const said = ['+', ' +\n', 'Minus', '+'];
    const { server, endpoint } = await endpointFor((body) =>
      reply({ content: said[body.messages.filter((message) => message.role === 'user').length - 1]! }),
    );
    const judgement = await judgeRlhflowProcessBench(endpoint, 'P?', ['a', 'b', 'c', 'd'], 4096);
    assert.deepEqual([judgement.stepScores, judgement.firstError], [[1, 1, 0, null], 2]);
    assert.equal(server.requests.length, 3);
    const third = bodies(server)[2]!;
    assert.deepEqual(third.messages, [
      { role: 'user', content: 'P?\n\na' },
      { role: 'assistant', content: '+' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: '+' },
      { role: 'user', content: 'c' },
    ]);
    assert.deepEqual([third.temperature, third.max_tokens, third.logprobs], [0, 1, undefined]);
  });

  test('all "+" is no error; a budget cut before any "-" is no prediction, said so', async () => {
    const { endpoint } = await endpointFor(() => reply({ content: '+' }));
    const clean = await judgeRlhflowProcessBench(endpoint, 'P', ['a', 'b'], 4096);
    assert.deepEqual([clean.stepScores, clean.firstError, clean.error], [[1, 1], -1, undefined]);
    const cut = await judgeRlhflowProcessBench(
      endpoint,
      'P',
      ['x'.repeat(30), 'y'.repeat(30), 'z'.repeat(30)],
      60,
    );
    assert.deepEqual([cut.stepScores, cut.firstError, cut.unscoredFrom], [[null, null, null], null, 2]);
    assert.match(
      cut.error!,
      /no step was found wrong before the input budget \(maxInputTokens 60\) cut the solution at step 2/,
    );
  });
});
