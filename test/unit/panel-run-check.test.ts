/**
 * The panel's light check of run/show (webview/runCheck.ts), against the zod schemas it stands in
 * for until zod has loaded: it refuses what zod refuses among the values the panel reads, naming
 * the field, never refuses what zod accepts, and its copies of the core's lists stay equal to them.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { PROBLEM_FORMATS } from '../../src/core/problems.js';
import {
  AuditEventSchema,
  JUDGE_KINDS,
  RERANK_METHODS,
  RUN_STATUSES,
  type Run,
  WHO_WAS_RIGHT,
} from '../../src/core/schemas.js';
import { HostMessageSchema } from '../../src/protocol.js';
import { LISTS, lightCheckShow } from '../../webview/runCheck.js';
import { EIGHT_SAMPLES, makeRun } from '../fixtures/makeRun.js';

let run: Run;

before(async () => {
  run = await makeRun(EIGHT_SAMPLES);
});

type Show = { type: 'run/show'; run: Run; events: unknown[]; readOnly: boolean; [key: string]: unknown };

function show(change: (message: Show) => void = () => {}): Show {
  const message: Show = {
    type: 'run/show',
    run: structuredClone(run),
    events: [
      {
        type: 'stepRating',
        schemaVersion: 1,
        at: '2026-11-28T10:00:00.000Z',
        sample: 2,
        step: 1,
        rating: -1,
      },
      { type: 'note', schemaVersion: 1, at: '2026-11-28T10:00:01.000Z', sample: 2, text: 'look again' },
    ],
    readOnly: false,
  };
  change(message);
  return message;
}

describe('the light check of run/show', () => {
  test('its lists are the core’s', () => {
    assert.deepEqual(LISTS.judgeKinds, [...JUDGE_KINDS]);
    assert.deepEqual(LISTS.runStatuses, [...RUN_STATUSES]);
    assert.deepEqual(LISTS.rerankMethods, [...RERANK_METHODS]);
    assert.deepEqual(LISTS.problemFormats, [...PROBLEM_FORMATS]);
    assert.deepEqual(LISTS.whoWasRight, [...WHO_WAS_RIGHT]);
    assert.deepEqual(
      LISTS.eventTypes,
      AuditEventSchema.options.map((option) => option.shape.type.value),
    );
  });

  test('passes a run made by the pipeline as it is, without copying it', () => {
    const message = show();
    assert.ok(HostMessageSchema.safeParse(message).success);
    const checked = lightCheckShow(message);
    assert.ok('show' in checked, 'refused' in checked ? checked.refused : '');
    assert.equal(checked.show, message);
  });

  test('passes what zod passes: absent optionals, nulls, empty judgements, a focus, skipped lines', () => {
    const message = show((m) => {
      const sample = m.run.samples[1]!;
      delete sample.reasoning;
      sample.answer = null;
      sample.finishReason = null;
      sample.judgements = {};
      m.run.samples[0]!.judgements.self!.stepScores[0] = null;
      m.run.samples[0]!.judgements.self!.firstError = null;
      m.focus = { id: 3, sample: 2, step: 1, prm: 'qwen-prm' };
      m.skipped = { log: 'run.jsonl', count: 4, lines: [{ line: 2, reason: 'not JSON' }] };
    });
    assert.ok(HostMessageSchema.safeParse(message).success);
    assert.ok('show' in lightCheckShow(message));
  });

  type Loose = Record<string, unknown>;
  const refusals: [string, (m: Show) => void, RegExp][] = [
    [
      'a step score above 1',
      (m) => {
        m.run.samples[3]!.judgements.self!.stepScores[2] = 1.5;
      },
      /run\.samples\[3\]\.judgements\.self\.stepScores\[2\]/,
    ],
    [
      'a step that is no string',
      (m) => {
        (m.run.samples[0]!.steps as unknown[])[1] = 7;
      },
      /run\.samples\[0\]\.steps\[1\]/,
    ],
    [
      'an answer that is a number',
      (m) => {
        (m.run.samples[0] as unknown as Loose).answer = 19;
      },
      /run\.samples\[0\]\.answer/,
    ],
    [
      'a negative sample index',
      (m) => {
        m.run.samples[0]!.index = -1;
      },
      /run\.samples\[0\]\.index/,
    ],
    [
      'a judge id that is a path',
      (m) => {
        m.run.samples[0]!.judgements['../x'] = m.run.samples[0]!.judgements.self!;
      },
      /judgements \(key "\.\.\/x"\)/,
    ],
    [
      'an unknown problem format',
      (m) => {
        (m.run.problem as unknown as Loose).format = 'latex';
      },
      /run\.problem\.format/,
    ],
    [
      'an empty problem text',
      (m) => {
        m.run.problem.text = '';
      },
      /run\.problem\.text/,
    ],
    [
      'an unknown judge kind',
      (m) => {
        (m.run.judges[0] as unknown as Loose).kind = 'oracle';
      },
      /run\.judges\[0\]\.kind/,
    ],
    [
      'an unknown rerank method',
      (m) => {
        (m.run.rerank[0] as unknown as Loose).method = 'best';
      },
      /run\.rerank\[0\]\.method/,
    ],
    [
      'τ above 1',
      (m) => {
        m.run.config.threshold = 2;
      },
      /run\.config\.threshold/,
    ],
    [
      'an unknown status',
      (m) => {
        (m.run as unknown as Loose).status = 'done';
      },
      /run\.status/,
    ],
    [
      'a newer schema version',
      (m) => {
        (m.run as unknown as Loose).schemaVersion = 2;
      },
      /run\.schemaVersion/,
    ],
    [
      'a first error below −1',
      (m) => {
        m.run.samples[2]!.judgements.self!.firstError = -2;
      },
      /run\.samples\[2\]\.judgements\.self\.firstError/,
    ],
    [
      'fractional tokens',
      (m) => {
        m.run.samples[0]!.usage = { promptTokens: 1.5, completionTokens: 2 };
      },
      /run\.samples\[0\]\.usage\.promptTokens/,
    ],
    [
      'a rating of 2',
      (m) => {
        (m.events[0] as Loose).rating = 2;
      },
      /events\[0\]\.rating/,
    ],
    [
      'an unknown event type',
      (m) => {
        (m.events[1] as Loose).type = 'star';
      },
      /events\[1\]\.type/,
    ],
    [
      'a focus on step −1',
      (m) => {
        m.focus = { id: 1, sample: 0, step: -1 };
      },
      /message\.focus\.step/,
    ],
    [
      'readOnly missing',
      (m) => {
        delete (m as Loose).readOnly;
      },
      /readOnly/,
    ],
    [
      'a run that is an array',
      (m) => {
        (m as Loose).run = [];
      },
      /^run: expected an object/,
    ],
  ];
  for (const [what, change, path] of refusals)
    test(`refuses ${what}, naming the field, as zod does`, () => {
      const message = show(change);
      assert.equal(HostMessageSchema.safeParse(message).success, false, 'zod refuses it');
      const checked = lightCheckShow(message);
      assert.ok('refused' in checked, 'the light check refuses it');
      assert.match(checked.refused, path);
    });
});
