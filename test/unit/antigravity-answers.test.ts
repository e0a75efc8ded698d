// The Antigravity adapter reads its two polled answers (fetchAvailableModels and
// retrieveUserQuotaSummary) by hand, not through zod, to allocate less per poll. These are the
// zod schemas it used before, kept here as the specification: on every answer below, well
// formed or not, the hand-written readers must accept and reject exactly what zod does and
// yield the same fields.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readModelsAnswer, readSummaryAnswer, summaryReadings } from '../../src/main/core/providers/antigravity';

const modelsAnswer = z
  .object({
    models: z
      .record(
        z.string(),
        z
          .object({
            displayName: z.string().optional(),
            quotaInfo: z.object({ remainingFraction: z.number().optional(), resetTime: z.string().optional() }).passthrough().optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

const summaryAnswer = z
  .object({
    groups: z
      .array(
        z
          .object({
            displayName: z.string().optional(),
            buckets: z
              .array(
                z
                  .object({
                    bucketId: z.string().optional(),
                    window: z.string().optional(),
                    remainingFraction: z.unknown().optional(),
                    resetTime: z.string().optional(),
                  })
                  .passthrough(),
              )
              .optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

// Answers as the upstream could send them (JSON text, so __proto__ is an own key).
const modelsCases: string[] = [
  '{}',
  '[]',
  'null',
  '"text"',
  '42',
  '{"models":null}',
  '{"models":[]}',
  '{"models":"x"}',
  '{"models":{}}',
  '{"models":{"a":{}}}',
  '{"models":{"a":null}}',
  '{"models":{"a":[]}}',
  '{"models":{"a":"x"}}',
  '{"models":{"a":{"displayName":"A"}}}',
  '{"models":{"a":{"displayName":null}}}',
  '{"models":{"a":{"displayName":7}}}',
  '{"models":{"a":{"quotaInfo":null}}}',
  '{"models":{"a":{"quotaInfo":[]}}}',
  '{"models":{"a":{"quotaInfo":{}}}}',
  '{"models":{"a":{"quotaInfo":{"remainingFraction":0.5,"resetTime":"2026-11-23T18:00:00Z"}}}}',
  '{"models":{"a":{"quotaInfo":{"remainingFraction":"0.5"}}}}',
  '{"models":{"a":{"quotaInfo":{"remainingFraction":null}}}}',
  '{"models":{"a":{"quotaInfo":{"resetTime":5}}}}',
  '{"models":{"a":{"quotaInfo":{"resetTime":null}}}}',
  '{"models":{"a":{"quotaInfo":{"remainingFraction":1e400}}}}',
  '{"models":{"a":{"extra":{"deep":[1,2]},"quotaInfo":{"remainingFraction":2,"more":true}}},"deprecatedModelIds":{}}',
  '{"models":{"__proto__":{"displayName":5},"b":{"displayName":"B"}}}',
  '{"models":{"2":{"displayName":"two"},"1":{"displayName":"one"},"z":{}}}',
  '{"models":{"constructor":{"displayName":"C"}}}',
  '{"models":{"a":{"displayName":"A"},"b":{"displayName":false}}}',
  '{"__proto__":{"models":5},"models":{"a":{}}}',
];

const summaryCases: string[] = [
  '{}',
  '[]',
  'null',
  '{"groups":null}',
  '{"groups":{}}',
  '{"groups":[]}',
  '{"groups":[null]}',
  '{"groups":[[]]}',
  '{"groups":[{}]}',
  '{"groups":[{"displayName":null}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":null}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":{}}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":[null]}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":[{"window":5}]}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":[{"bucketId":null,"window":"5h"}]}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":[{"window":"5h","resetTime":null}]}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":[{"window":"5h","remainingFraction":null}]}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":[{"window":"5h","remainingFraction":"0.2"}]}]}',
  '{"groups":[{"displayName":"Gemini Pro","buckets":[{"window":"5h","remainingFraction":0.2,"resetTime":"2026-11-23T18:00:00Z","x":1},{"window":"weekly","remainingFraction":0.2,"resetTime":"2026-11-30T00:00:00Z"}]}]}',
  '{"groups":[{"displayName":"Model 1","buckets":[{"bucketId":"model-1-5h","window":"5h","remainingFraction":0.5},{"bucketId":"model-1-weekly","window":"weekly","remainingFraction":0.6}]},{"buckets":[{"bucketId":"claude-opus-5h","window":"5h","remainingFraction":0.1}]}]}',
  '{"groups":[{"displayName":"A","buckets":[{"window":""},{"window":"5h"}]}]}',
];

const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('hand-written answer readers agree with the zod schemas', () => {
  it('fetchAvailableModels: same acceptance, same models in the same order, same fields', () => {
    for (const text of modelsCases) {
      const json: unknown = JSON.parse(text);
      const zod = modelsAnswer.safeParse(json);
      const mine = readModelsAnswer(json);
      expect(mine !== null, text).toBe(zod.success);
      if (!zod.success || !mine) continue;
      const fromZod = Object.entries(zod.data.models ?? {}).map(([id, m]) => [id, m.displayName, m.quotaInfo?.remainingFraction, m.quotaInfo?.resetTime]);
      expect(mine.map(([id, m]) => [id, m.displayName, m.quotaInfo?.remainingFraction, m.quotaInfo?.resetTime]), text).toEqual(fromZod);
    }
  });

  it('retrieveUserQuotaSummary: same acceptance; malformed answers give no window readings', () => {
    for (const text of summaryCases) {
      const json: unknown = JSON.parse(text);
      const zod = summaryAnswer.safeParse(json);
      const mine = readSummaryAnswer(json);
      expect(mine !== null, text).toBe(zod.success);
      if (!zod.success) expect(summaryReadings(json, 'acc', NOW), text).toEqual([]);
      if (!zod.success || !mine) continue;
      const shape = (gs: Array<{ displayName?: string; buckets?: Array<{ bucketId?: string; window?: string; remainingFraction?: unknown; resetTime?: string }> }>) =>
        gs.map((g) => [g.displayName, (g.buckets ?? []).map((b) => [b.bucketId, b.window, b.remainingFraction, b.resetTime])]);
      expect(shape(mine), text).toEqual(shape(zod.data.groups ?? []));
    }
  });

  it('keeps the tighter bucket per window key, and a reading only when a bucket names a window', () => {
    const r = summaryReadings(JSON.parse(summaryCases[19]!), 'acc', NOW);
    expect(r.map((q) => [q.model, q.window, q.remainingFraction, q.displayName])).toEqual([
      ['*', '5h', 0.5, 'Model 1'],
      ['*claude*opus*', '5h', 0.1, null],
    ]);
    expect(summaryReadings(JSON.parse(summaryCases[20]!), 'acc', NOW).map((q) => q.window)).toEqual(['5h']);
  });
});
