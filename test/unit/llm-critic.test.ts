/**
 * The ProcessBench critic (Self-PRM critic and chat-critic PRMs) over the wire: the prompt the critic
 * gets, the step it names as the first error, the step scores a user sees, and critiques that name none.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { z } from 'zod';
import { ChatEndpoint } from '../../src/llm/chat.js';
import { type CriticSettings, CriticVerdictSchema, judgeByCritique } from '../../src/llm/critic.js';
import { type ChatRequestBody, type Stub, startStub } from '../fixtures/stubServer.js';

const stubs: Stub[] = [];
after(async () => Promise.all(stubs.map((stub) => stub.close())));

/** A critic endpoint whose critiques (one per choice) are the given texts. */
async function critic(critiques: string[]) {
  const server = await startStub({ chat: () => ({ choices: critiques.map((content) => ({ content })) }) });
  stubs.push(server);
  const endpoint = new ChatEndpoint({
    baseUrl: server.baseUrl,
    model: 'critic-model',
    concurrency: 2,
    timeoutMs: 5000,
    maxRetries: 0,
  });
  return { server, endpoint, sent: () => server.requests.map((request) => request.body as ChatRequestBody) };
}

const settings = (samples: number, structuredOutput = false): CriticSettings => ({
  n: samples,
  structuredOutput,
  temperature: 0.7,
  maxTokens: 2048,
});

describe('StepLens’s own critic', () => {
  test('the critic sees the problem and the steps as numbered paragraphs; the verdict is the most common index', async () => {
    const critiques = [
      'Paragraph 2 doubles instead of halving. \\boxed{2}',
      'All correct. \\boxed{-1}',
      'I am not sure.',
      '<think>is it 1?</think>The slip is in \\boxed{2}.',
    ];
    const { endpoint, sent } = await critic(critiques);
    const steps = ['Half of 84.', 'Is 42.', 'Doubled: 168.', 'So \\boxed{168}.'];
    const before = performance.now();
    const judgement = await judgeByCritique(endpoint, 'What is half of 84?', steps, settings(4));
    const elapsed = performance.now() - before;
    assert.deepEqual(judgement.verdicts, [2, -1, null, 2]);
    assert.equal(judgement.firstError, 2);
    // Share of the parsed critiques that leave the step unflagged; the unparseable one counts apart.
    assert.deepEqual(judgement.stepScores, [1, 1, 1 / 3, 1 / 3]);
    assert.equal(judgement.error, undefined);
    assert.deepEqual(judgement.raw, critiques);
    const latency = judgement.latencyMs ?? Number.NaN;
    assert.ok(latency >= 0 && latency <= elapsed, `latency ${latency} of a call that took ${elapsed}`);

    const [body] = sent();
    assert.deepEqual([body!.n, body!.temperature, body!.max_tokens], [4, 0.7, 2048]);
    assert.equal(body!.response_format, undefined);
    assert.deepEqual(body!.messages, [
      {
        role: 'user',
        content: [
          'Below is a math problem and a proposed solution. The solution is divided into paragraphs, each',
          'wrapped in tags and numbered from 0.',
          '',
          '[Problem]',
          '',
          'What is half of 84?',
          '',
          '[Solution]',
          '',
          '<paragraph_0>\nHalf of 84.\n</paragraph_0>\n\n<paragraph_1>\nIs 42.\n</paragraph_1>\n\n' +
            '<paragraph_2>\nDoubled: 168.\n</paragraph_2>\n\n<paragraph_3>\nSo \\boxed{168}.\n</paragraph_3>',
          '',
          'Check the paragraphs in order. Find the first paragraph that contains a mistake: a wrong',
          'calculation, a false claim, an invalid inference, or a misreading of the problem. If every',
          'paragraph is correct, the answer is -1.',
          '',
          'Give the index of that paragraph (or -1) alone in \\boxed{}, for example \\boxed{2} or \\boxed{-1}.',
        ].join('\n'),
      },
    ]);
  });

  test('structured output asks for the critic_verdict JSON schema and reads the JSON verdict', async () => {
    const { endpoint, sent } = await critic([
      '{"first_error_paragraph": 1, "reason": "42 is not half of 86"}',
      '{"first_error_paragraph": -1}',
      '{"first_error_paragraph": 1}',
    ]);
    const judgement = await judgeByCritique(
      endpoint,
      'What is half of 86?',
      ['Half.', 'Is 42.'],
      settings(3, true),
    );
    assert.deepEqual(judgement.verdicts, [1, -1, 1]);
    assert.equal(judgement.firstError, 1);
    const format = sent()[0]!.response_format as {
      type: string;
      json_schema: { name: string; schema: object };
    };
    assert.equal(format.type, 'json_schema');
    assert.equal(format.json_schema.name, 'critic_verdict');
    // Written out in critic.ts (the bundles' zod has no JSON-Schema generator): it must stay what
    // zod makes of the schema the replies are parsed with.
    assert.deepEqual(format.json_schema.schema, z.toJSONSchema(CriticVerdictSchema));
  });

  test('a tie between "paragraph 0 is wrong" and "no error" goes to paragraph 0', async () => {
    const { endpoint } = await critic(['\\boxed{0}', '\\boxed{-1}']);
    const judgement = await judgeByCritique(endpoint, 'P', ['a', 'b'], settings(2));
    assert.equal(judgement.firstError, 0);
    assert.deepEqual(judgement.stepScores, [0.5, 0.5]);
  });

  test('in a long solution the critic can name paragraph 12; an index that is not one number names none', async () => {
    const { endpoint } = await critic(['\\boxed{12}', '\\boxed{12}', '\\boxed{2 or 3}', '\\boxed{1}']);
    const steps = Array.from({ length: 13 }, (_, i) => `Step ${i}.`);
    const judgement = await judgeByCritique(endpoint, 'P', steps, settings(4));
    assert.deepEqual(judgement.verdicts, [12, 12, null, 1]);
    assert.equal(judgement.firstError, 12);
  });

  test('critiques that name no paragraph: an error on the sample, the critiques kept — never "no error"', async () => {
    const critiques = ['Looks fine to me.', 'The answer is \\boxed{5}.'];
    const { endpoint } = await critic(critiques);
    const judgement = await judgeByCritique(endpoint, 'P', ['a', 'b', 'c'], settings(2));
    assert.equal(judgement.firstError, null);
    assert.deepEqual(judgement.stepScores, [null, null, null]);
    assert.deepEqual(judgement.verdicts, [null, null]);
    assert.deepEqual(judgement.raw, critiques);
    assert.equal(judgement.error, 'none of the 2 critique(s) named a paragraph index that exists');
  });
});
