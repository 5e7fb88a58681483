/**
 * Several annotators on one run: their labels kept apart, one resolved label per sample for
 * exports (agreeing, contested, adjudicated), their agreement as κ checked against hand-computed
 * values, and the name a label is saved under.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  annotatorDisagreements,
  attribute,
  eventsOfAnnotator,
  humanAgreement,
  replayByAnnotator,
  resolveRunLabels,
  resolveSample,
  UNNAMED_ANNOTATOR,
} from '../../src/core/annotators.js';
import { type AuditChange, type SampleLabels, stampEvent } from '../../src/core/audit.js';
import { agreementReport, exportFiles, processBenchRows, reportMarkdown } from '../../src/core/export.js';
import { cohensKappa, fleissKappa } from '../../src/core/metrics.js';
import type { AuditEvent } from '../../src/core/schemas.js';
import { AuditEventSchema } from '../../src/core/schemas.js';
import { gitUserName, resolveAnnotator } from '../../src/io/annotatorName.js';
import { smallRun } from '../fixtures/smallRun.js';

const at = new Date('2026-11-29T10:00:00Z');
const by = (annotator: string | undefined, change: AuditChange, adjudicated = false): AuditEvent => {
  const event = stampEvent(change, at);
  return {
    ...event,
    ...(annotator !== undefined ? { annotator } : {}),
    ...(adjudicated ? { adjudicated: true as const } : {}),
  };
};
const rate = (annotator: string | undefined, sample: number, step: number, rating: -1 | 0 | 1) =>
  by(annotator, { type: 'stepRating', sample, step, rating });
const firstError = (annotator: string, sample: number, step: number, adjudicated = false) =>
  by(annotator, { type: 'firstError', sample, step }, adjudicated);

const fourSteps = { steps: ['a', 'b', 'c', 'd'] };

describe('each annotator keeps their own labels', () => {
  test('replay by annotator: apart, legacy events are "unnamed", adjudications their own layer', () => {
    const events = [
      rate(undefined, 0, 0, 1),
      rate('ana', 0, 0, -1),
      rate('ben', 0, 0, 1),
      rate('ana', 0, 0, 0),
      by('cai', { type: 'stepRating', sample: 0, step: 0, rating: 1 }, true),
    ];
    const { byAnnotator, adjudicated, adjudicators } = replayByAnnotator(events);
    assert.deepEqual([...byAnnotator.keys()], [UNNAMED_ANNOTATOR, 'ana', 'ben']);
    assert.equal(
      byAnnotator.get('ana')?.[0]?.steps[0]?.rating,
      0,
      "ana's later label replaces her earlier one",
    );
    assert.equal(byAnnotator.get('ben')?.[0]?.steps[0]?.rating, 1);
    assert.equal(byAnnotator.get('cai'), undefined, 'an adjudicator is not counted as an annotator');
    assert.equal(adjudicated[0]?.steps[0]?.rating, 1);
    assert.deepEqual(adjudicators.get(0), ['cai']);
    assert.deepEqual(eventsOfAnnotator(events, 'ana'), [events[1], events[3]]);
    assert.deepEqual(eventsOfAnnotator(events, UNNAMED_ANNOTATOR), [events[0]]);
  });

  test('the saved event carries the name given, never the one it claimed', () => {
    const claimed = { ...rate('mallory', 0, 1, 1), adjudicated: true as const };
    assert.deepEqual(attribute(claimed, { annotator: 'ana' }), rate('ana', 0, 1, 1));
    assert.deepEqual(attribute(rate(undefined, 0, 1, 1), { annotator: 'cai', adjudicated: true }), {
      ...rate('cai', 0, 1, 1),
      adjudicated: true,
    });
  });

  test('an annotator name is text, never control characters or a novel', () => {
    const event = rate('ana', 0, 0, 1);
    assert.equal(AuditEventSchema.safeParse({ ...event, annotator: 'Ana Lima' }).success, true);
    assert.equal(AuditEventSchema.safeParse({ ...event, annotator: 'ana\u001b[31m' }).success, false);
    assert.equal(AuditEventSchema.safeParse({ ...event, annotator: 'x'.repeat(65) }).success, false);
    assert.equal(AuditEventSchema.safeParse({ ...event, annotator: '   ' }).success, false);
  });
});

describe('one label per sample for exports', () => {
  const labels = (events: AuditEvent[]) => replayByAnnotator(events);
  const resolve = (events: AuditEvent[], sample = 0) => {
    const { byAnnotator, adjudicated, adjudicators } = labels(events);
    return resolveSample(
      fourSteps,
      [...byAnnotator].map(([who, own]) => [who, own[sample]] as [string, SampleLabels | undefined]),
      adjudicated[sample],
      adjudicators.get(sample),
    );
  };

  test('one annotator: theirs', () => {
    const resolved = resolve([rate('ana', 0, 0, 1), rate('ana', 0, 1, -1)]);
    assert.deepEqual(resolved?.source, { kind: 'single', annotator: 'ana' });
    assert.equal(resolved?.labels?.steps[1]?.rating, -1);
  });

  test('several who agree: the union of their labels', () => {
    const resolved = resolve([rate('ana', 0, 0, 1), rate('ben', 0, 0, 1), rate('ben', 0, 1, -1)]);
    assert.deepEqual(resolved?.source, { kind: 'consensus', annotators: ['ana', 'ben'] });
    assert.equal(resolved?.labels?.steps[0]?.rating, 1);
    assert.equal(resolved?.labels?.steps[1]?.rating, -1, "ben's rating of a step ana did not rate counts");
  });

  test('a step rated differently makes the sample contested: no label at all', () => {
    const resolved = resolve([rate('ana', 0, 0, 1), rate('ben', 0, 0, -1), rate('ben', 0, 1, 1)]);
    assert.deepEqual(resolved, { source: { kind: 'contested', annotators: ['ana', 'ben'] } });
  });

  test('an explicit first error against one implied by ratings is a disagreement too', () => {
    // ana names step 3; ben's ratings put the first error at step 2. No rated step is shared.
    const resolved = resolve([
      firstError('ana', 0, 3),
      rate('ben', 0, 0, 1),
      rate('ben', 0, 1, 1),
      rate('ben', 0, 2, -1),
    ]);
    assert.equal(resolved?.source.kind, 'contested');
  });

  test('an adjudication settles it: agreeing labels with the adjudication on top', () => {
    const resolved = resolve([
      rate('ana', 0, 0, 1),
      rate('ben', 0, 0, 1),
      rate('ana', 0, 1, 1),
      rate('ben', 0, 1, -1),
      by('cai', { type: 'stepRating', sample: 0, step: 1, rating: -1 }, true),
    ]);
    assert.deepEqual(resolved?.source, {
      kind: 'adjudicated',
      annotators: ['ana', 'ben'],
      adjudicators: ['cai'],
    });
    assert.equal(resolved?.labels?.steps[0]?.rating, 1);
    assert.equal(resolved?.labels?.steps[1]?.rating, -1);
  });

  test('nobody labelled: no label and no source', () => {
    assert.equal(resolve([rate('ana', 1, 0, 1)]), undefined);
  });
});

describe('the adjudication list', () => {
  test('lists first-error and rating disagreements, and what was settled', () => {
    const samples = [
      { index: 0, ...fourSteps },
      { index: 1, ...fourSteps },
    ];
    const events = [
      rate('ana', 0, 0, 1),
      rate('ben', 0, 0, 1),
      rate('ana', 0, 2, -1),
      rate('ben', 0, 2, 0),
      firstError('ana', 1, 3),
      firstError('ben', 1, -1),
      firstError('cai', 1, 3, true),
    ];
    assert.deepEqual(annotatorDisagreements(samples, events), [
      {
        sample: 0,
        step: 2,
        kind: 'rating',
        values: [
          { annotator: 'ana', value: -1 },
          { annotator: 'ben', value: 0 },
        ],
      },
      {
        sample: 1,
        step: 3,
        kind: 'firstError',
        values: [
          { annotator: 'ana', value: 3 },
          { annotator: 'ben', value: -1 },
        ],
        adjudicated: 3,
      },
    ]);
  });
});

describe('agreement between annotators, against hand-computed κ', () => {
  test("Cohen's κ of two raters", () => {
    // Agreement 4/5; chance (3/5)(2/5) + (1/5)(2/5) + (1/5)(1/5) = 9/25; κ = (0.8 − 0.36) / 0.64.
    const score = cohensKappa([
      [1, 1],
      [1, -1],
      [-1, -1],
      [0, 0],
      [1, 1],
    ]);
    assert.equal(score.agreement, 0.8);
    assert.ok(Math.abs((score.kappa ?? Number.NaN) - 0.6875) < 1e-12);
  });

  test("Fleiss' κ of three raters", () => {
    // Per item agreeing pairs: 1, 1/3, 1, 1/3 → P̄ = 2/3; categories split 6/6 → Pe = 1/2; κ = 1/3.
    const score = fleissKappa([
      ['a', 'a', 'a'],
      ['a', 'a', 'b'],
      ['b', 'b', 'b'],
      ['a', 'b', 'b'],
    ]);
    assert.ok(Math.abs((score.agreement ?? Number.NaN) - 2 / 3) < 1e-12);
    assert.ok(Math.abs((score.kappa ?? Number.NaN) - 1 / 3) < 1e-12);
    assert.equal(fleissKappa([['a', 'a']]).kappa, null, 'one category everywhere: κ undefined');
    assert.throws(() => fleissKappa([['a', 'b'], ['a']]), /same number/);
  });

  test('two annotators: Cohen over the steps both rated, and over first errors', () => {
    const sample = { index: 0, ...fourSteps };
    const events = [
      rate('ana', 0, 0, 1),
      rate('ben', 0, 0, 1),
      rate('ana', 0, 1, 1),
      rate('ben', 0, 1, -1),
      rate('ana', 0, 2, -1),
      // ben rated step 3 only: not shared, left out.
      rate('ben', 0, 3, 0),
    ];
    const { byAnnotator } = replayByAnnotator(events);
    const agreement = humanAgreement([{ samples: [sample], byAnnotator }]);
    assert.ok(agreement);
    assert.equal(agreement.stepRatings.method, 'cohen');
    assert.equal(agreement.stepRatings.n, 2);
    assert.equal(agreement.stepRatings.agreement, 0.5);
    // ana's first error 2, ben's 1: one sample, disagreeing.
    assert.equal(agreement.firstErrors.n, 1);
    assert.equal(agreement.firstErrors.agreement, 0);
    assert.equal(humanAgreement([{ samples: [sample], byAnnotator: new Map([['ana', {}]]) }]), undefined);
  });

  test('three annotators: Fleiss over steps all rated; the partly rated ones counted apart', () => {
    const samples = [{ index: 0, steps: ['a', 'b', 'c', 'd', 'e'] }];
    const ratings: [string, number, -1 | 0 | 1][] = [
      ['x', 0, 1],
      ['y', 0, 1],
      ['z', 0, 1],
      ['x', 1, 1],
      ['y', 1, 1],
      ['z', 1, -1],
      ['x', 2, -1],
      ['y', 2, -1],
      ['z', 2, -1],
      ['x', 3, 1],
      ['y', 3, -1],
      ['z', 3, -1],
      ['x', 4, 1],
      ['y', 4, 1],
    ];
    const { byAnnotator } = replayByAnnotator(ratings.map(([who, step, value]) => rate(who, 0, step, value)));
    const agreement = humanAgreement([{ samples, byAnnotator }]);
    assert.ok(agreement);
    assert.equal(agreement.stepRatings.method, 'fleiss');
    assert.equal(agreement.stepRatings.n, 4);
    assert.equal(agreement.stepRatings.partial, 1);
    assert.ok(
      Math.abs((agreement.stepRatings.kappa ?? Number.NaN) - 1 / 3) < 1e-12,
      'the same table as by hand above',
    );
    assert.equal(agreement.pairs.length, 3);
    assert.equal(agreement.pairs.find((pair) => pair.a === 'x' && pair.b === 'y')?.stepRatings.n, 5);
  });
});

describe('exports name the annotator and leave contested samples out, counted', () => {
  test('rows, CSV and the report', () => {
    const run = smallRun();
    const [s0, s1, s2] = run.samples.map((sample) => sample.index) as [number, number, number];
    const events = [
      // Sample 0: ana alone. Sample 1: ana and ben disagree. Sample 2: they disagree, cai settles.
      firstError('ana', s0, -1),
      firstError('ana', s1, 0),
      firstError('ben', s1, -1),
      firstError('ana', s2, 1),
      firstError('ben', s2, -1),
      firstError('cai', s2, 1, true),
    ];
    const { labels, sources, byAnnotator } = resolveRunLabels(run.samples, events);
    const labeled = [{ run, labels, annotation: { sources, byAnnotator } }];
    const rows = processBenchRows(labeled);
    assert.deepEqual(
      rows.map((row) => [row.id, row.label, row.annotator, row.adjudicated]),
      [
        [`${run.id}/${s0}`, -1, 'ana', false],
        [`${run.id}/${s2}`, 1, 'adjudicated by cai', true],
      ],
    );
    const report = agreementReport(labeled);
    assert.equal(report.contestedSamples, 1);
    assert.equal(report.adjudicatedSamples, 1);
    assert.deepEqual(report.annotators, ['ana', 'ben']);
    assert.equal(report.humanAgreement?.firstErrors.n, 2);
    assert.equal(report.humanAgreement?.firstErrors.agreement, 0);
    const markdown = reportMarkdown(report);
    assert.match(markdown, /1 sample\(s\) are contested/);
    assert.match(markdown, /Annotator agreement \(Cohen's κ\)/);
    const csv = exportFiles(labeled)['steps.csv'].split('\r\n');
    assert.match(csv[0]!, /,annotator$/);
  });
});

describe('the name labels are saved under', () => {
  const none = async () => undefined;
  test('the setting, else git, else the OS user, else "unnamed"; a bad name is passed over', async () => {
    const git = async () => 'Ana Lima';
    const os = () => 'ana';
    assert.deepEqual(await resolveAnnotator(' ben ', undefined, { git, os }), {
      name: 'ben',
      origin: 'setting',
    });
    assert.deepEqual(await resolveAnnotator('', undefined, { git, os }), { name: 'Ana Lima', origin: 'git' });
    assert.deepEqual(await resolveAnnotator('x'.repeat(80), undefined, { git, os }), {
      name: 'Ana Lima',
      origin: 'git',
    });
    assert.deepEqual(await resolveAnnotator(undefined, undefined, { git: none, os }), {
      name: 'ana',
      origin: 'os',
    });
    assert.deepEqual(await resolveAnnotator(undefined, undefined, { git: none, os: () => undefined }), {
      name: UNNAMED_ANNOTATOR,
      origin: 'none',
    });
  });

  test("git's user.name of the workspace's repository, read by the real git", async () => {
    const repo = mkdtempSync(join(tmpdir(), 'steplens-git-'));
    execFileSync('git', ['init', '-q', repo]);
    execFileSync('git', ['-C', repo, 'config', 'user.name', 'Ana Lima']);
    assert.equal(await gitUserName(repo), 'Ana Lima');
    assert.equal((await resolveAnnotator(undefined, repo)).name, 'Ana Lima');
  });
});
