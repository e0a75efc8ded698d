// Threshold crossings: one notification and event per crossing, and a hysteresis band so a
// value hovering around the low threshold does not flap between low and recovered.
import { describe, expect, it } from 'vitest';
import type { ThresholdCrossedEvent } from '../../src/shared/contract';
import { createMemoryLogger } from '../../src/main/core/log/memory-logger';
import { ThresholdTracker } from '../../src/main/core/notify/threshold-tracker';
import type { Notification } from '../../src/main/core/ports';
import { decide, type Decision } from '../../src/main/core/quota/decide';

const NOW = Date.parse('2026-11-23T10:00:00Z');
const RESET = Date.parse('2026-11-24T00:00:00Z');

function setup(threshold = 0.1) {
  const notes: Notification[] = [];
  const events: ThresholdCrossedEvent[] = [];
  const logger = createMemoryLogger();
  let lowThreshold = threshold;
  const tracker = new ThresholdTracker(logger, { notify: (n) => notes.push(n) }, (e) => events.push(e), { lowThreshold: () => lowThreshold });
  const at = (fraction: number | null, model = 'gemini-3-pro-high', account = 'acc-1'): Decision =>
    decide(fraction === null ? undefined : { accountId: account, model, remainingFraction: fraction, resetAt: RESET, fetchedAt: NOW, source: 'poll' } as never, undefined, NOW, lowThreshold);
  const observe = (fraction: number | null, model = 'gemini-3-pro-high', account = 'acc-1') => tracker.observe(account, 'Alpha', model, at(fraction, model, account));
  return { notes, events, logger, tracker, observe, setThreshold: (t: number) => (lowThreshold = t) };
}

describe('ThresholdTracker', () => {
  it('notifies once per crossing, with the kind, the account and the remaining share', () => {
    const { notes, events, observe } = setup();
    observe(0.5);
    observe(0.05);
    observe(0.04);
    observe(0);
    observe(0);
    observe(0.5);
    expect(notes).toEqual([
      { title: 'Alpha: gemini-3-pro-high low', body: '5% remaining, resets 2026-11-24T00:00:00.000Z', accountId: 'acc-1', kind: 'low' },
      { title: 'Alpha: gemini-3-pro-high exhausted', body: '0% remaining, resets 2026-11-24T00:00:00.000Z', accountId: 'acc-1', kind: 'exhausted' },
      { title: 'Alpha: gemini-3-pro-high recovered', body: '50% remaining', accountId: 'acc-1', kind: 'recovered' },
    ]);
    expect(events.map((e) => `${e.from}->${e.to}`)).toEqual(['proceed->low', 'low->exhausted', 'exhausted->proceed']);
  });

  it('a first healthy observation and unknown readings are not news', () => {
    const { notes, observe } = setup();
    observe(0.9);
    observe(null);
    observe(0.9);
    expect(notes).toEqual([]);
    observe(0.02);
    expect(notes.map((n) => n.kind)).toEqual(['low']);
    expect(observe(null)).toBeNull();
  });

  it('hysteresis: a low model recovers only at threshold + 2 points, so hovering around 10% says "low" once', () => {
    const { notes, events, observe } = setup();
    for (const f of [0.5, 0.099, 0.101, 0.098, 0.105, 0.119, 0.097]) observe(f);
    expect(notes.map((n) => n.kind)).toEqual(['low']);
    observe(0.12);
    expect(notes.map((n) => n.kind)).toEqual(['low', 'recovered']);
    // Once recovered, the next dip is a new crossing.
    observe(0.099);
    expect(notes.map((n) => n.kind)).toEqual(['low', 'recovered', 'low']);
    expect(events).toHaveLength(3);
  });

  it('the band follows the threshold setting, and applies per account and model', () => {
    const { notes, observe, setThreshold } = setup(0.2);
    observe(0.15, 'm1', 'acc-1');
    observe(0.15, 'm2', 'acc-1');
    observe(0.15, 'm1', 'acc-2');
    observe(0.21, 'm1', 'acc-1'); // inside 0.20..0.22: still low
    observe(0.3, 'm2', 'acc-1'); // clear: recovered
    expect(notes.map((n) => `${n.accountId}/${n.title.split(' ')[1]}:${n.kind}`)).toEqual(['acc-1/m1:low', 'acc-1/m2:low', 'acc-2/m1:low', 'acc-1/m2:recovered']);
    setThreshold(0.1);
    observe(0.15, 'm1', 'acc-2'); // 0.15 >= 0.10 + 0.02 under the new threshold
    expect(notes.at(-1)).toMatchObject({ accountId: 'acc-2', kind: 'recovered' });
  });

  it('exhausted recovers without the band (a reset is not hovering), and a 429 lock counts as exhausted', () => {
    const { notes, tracker, observe } = setup();
    observe(0);
    observe(0.11);
    expect(notes.map((n) => n.kind)).toEqual(['exhausted', 'recovered']);
    const locked: Decision = { kind: 'exhausted', remainingFraction: 0.9, resetAt: RESET, reason: 'locked' };
    tracker.observe('acc-1', 'Alpha', 'gemini-3-pro-high', locked);
    expect(notes.at(-1)).toMatchObject({ kind: 'exhausted', body: '90% remaining, resets 2026-11-24T00:00:00.000Z' });
  });

  it('forgetting an account starts its models afresh', () => {
    const { notes, tracker, observe } = setup();
    observe(0.05);
    tracker.forgetAccount('acc-1');
    observe(0.05);
    expect(notes).toHaveLength(2);
  });

  it('logs each crossing once at the right level', () => {
    const { logger, observe } = setup();
    observe(0.05);
    observe(0.05);
    observe(0);
    observe(0.6);
    expect(logger.lines).toEqual([
      '[warn] quota low: Alpha gemini-3-pro-high at 5%, resets 2026-11-24T00:00:00.000Z',
      '[warn] quota exhausted: Alpha gemini-3-pro-high, resets 2026-11-24T00:00:00.000Z',
      '[info] quota recovered: Alpha gemini-3-pro-high at 60%',
    ]);
  });
});

describe('ThresholdTracker log window', () => {
  it('writes the crossings of one burst as one message per level, one line each, when the window ends', () => {
    const logger = createMemoryLogger();
    let fire: (() => void) | null = null;
    const timers = { setTimeout: (fn: () => void) => ((fire = fn), 1), clearTimeout: () => (fire = null) };
    const tracker = new ThresholdTracker(logger, undefined, () => {}, { logWindow: { windowMs: 1000, timers } });
    const d = (fraction: number): Decision => decide({ accountId: 'a', model: 'm', remainingFraction: fraction, resetAt: RESET, fetchedAt: NOW, source: 'poll' } as never, undefined, NOW, 0.1);
    tracker.observe('a', 'Alpha', 'm1', d(0));
    tracker.observe('b', 'Beta', 'm1', d(0.05));
    tracker.observe('a', 'Alpha', 'm1', d(0.5));
    expect(logger.lines).toEqual([]);
    fire!();
    expect(logger.lines).toEqual([
      '[warn] quota exhausted: Alpha m1, resets 2026-11-24T00:00:00.000Z\nquota low: Beta m1 at 5%, resets 2026-11-24T00:00:00.000Z',
      '[info] quota recovered: Alpha m1 at 50%',
    ]);
    tracker.observe('b', 'Beta', 'm1', d(0));
    tracker.flush();
    expect(logger.lines.at(-1)).toBe('[warn] quota exhausted: Beta m1, resets 2026-11-24T00:00:00.000Z');
  });
});
