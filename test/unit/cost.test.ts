import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunConfigSchema } from '../../src/core/config.js';
import { describeEstimate, estimateRequests } from '../../src/core/cost.js';

const config = (extra: Record<string, unknown>) =>
  RunConfigSchema.parse({ policy: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' }, ...extra });
const pooling = { id: 'qwen', kind: 'vllm-pooling', baseUrl: 'http://127.0.0.1:8001', model: 'p' };

describe('what one analysis costs, before anything is sent', () => {
  test('samples, k critiques each, PRM requests batched; the most completion tokens', () => {
    const estimate = estimateRequests(
      config({
        policy: { baseUrl: 'http://x/v1', model: 'm', n: 1024, maxTokens: 10_000_000 },
        selfJudge: { samples: 64 },
        prms: [pooling],
      }),
    );
    // 1024 samples + 1024 × 64 critiques + ⌈1024 / 8⌉ /pooling batches.
    assert.deepEqual(estimate, {
      requests: 1024 + 65_536 + 128,
      requestsPerStep: 0,
      maxCompletionTokens: 1024 * 10_000_000 + 65_536 * 8192,
      maxCompletionTokensPerStep: 0,
    });
    assert.equal(
      describeEstimate(estimate),
      'up to 66,688 requests and 10,776,870,912 completion tokens per problem',
    );
  });

  test('judges that ask once per step are counted per step; no self-judgement costs nothing', () => {
    const estimate = estimateRequests(
      config({
        policy: { baseUrl: 'http://x/v1', model: 'm', n: 8, maxTokens: 100 },
        selfJudge: { mode: 'stepwise' },
        prms: [
          { id: 'rl', kind: 'rlhflow', baseUrl: 'http://x', model: 'r' },
          { ...pooling, batchSize: 3 },
        ],
      }),
    );
    // Stepwise: 8 samples × (one request of up to 8,192 tokens) per step; RLHFlow: 8 per step.
    assert.deepEqual(estimate, {
      requests: 8 + 3,
      requestsPerStep: 16,
      maxCompletionTokens: 800,
      maxCompletionTokensPerStep: 8 * 8192,
    });
    assert.equal(
      describeEstimate(estimate),
      'up to 11 requests + 16 per step and 800 + 65,536 per step completion tokens per problem',
    );
    assert.equal(estimateRequests(config({ selfJudge: { mode: 'off' } })).requests, 8);
  });
});
