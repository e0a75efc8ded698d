import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCoalescer, frameScheduler } from '../../src/renderer/src/stores/event-coalescer';

type Ev = { id: string; v: number };

describe('createCoalescer (next frame, 100 ms at most)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'performance', 'Date'] });
  });
  afterEach(() => vi.useRealTimers());

  it('applies a burst once, on the next frame, keeping the last event per key', () => {
    const batches: Ev[][] = [];
    const c = createCoalescer<Ev>({ keyOf: (e) => e.id, apply: (b) => batches.push(b) });
    for (let i = 0; i < 1000; i++) c.push({ id: `a${i}`, v: 1 });
    c.push({ id: 'a5', v: 2 });
    expect(batches).toHaveLength(0);
    expect(c.size).toBe(1000);
    vi.advanceTimersToNextFrame();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(1000);
    expect(batches[0]!.filter((e) => e.id === 'a5')).toEqual([{ id: 'a5', v: 2 }]);
    // The later write moved a5 to the end: the batch is in order of last arrival.
    expect(batches[0]!.at(-1)).toEqual({ id: 'a5', v: 2 });
    expect(c.size).toBe(0);
    // Nothing further is scheduled.
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(1);
  });

  it('starts a new batch for events after a flush, and for events pushed while applying', () => {
    const batches: string[][] = [];
    const c = createCoalescer<Ev>({
      keyOf: (e) => e.id,
      apply: (b) => {
        batches.push(b.map((e) => e.id));
        if (b.some((e) => e.id === 'x')) c.push({ id: 'from-apply', v: 0 });
      },
    });
    c.push({ id: 'x', v: 1 });
    vi.advanceTimersToNextFrame();
    expect(batches).toEqual([['x']]);
    vi.advanceTimersToNextFrame();
    expect(batches).toEqual([['x'], ['from-apply']]);
  });

  it('drains within maxWaitMs when no frame comes (a hidden window)', () => {
    const batches: Ev[][] = [];
    // A scheduler whose frames never arrive: only the timeout can run it.
    vi.spyOn(globalThis, 'requestAnimationFrame').mockImplementation(() => 0);
    const c = createCoalescer<Ev>({ keyOf: (e) => e.id, apply: (b) => batches.push(b), schedule: frameScheduler(50) });
    c.push({ id: 'a', v: 1 });
    vi.advanceTimersByTime(49);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
  });

  it('flush() applies now and cancels the scheduled run; cancel() drops the buffer', () => {
    const batches: Ev[][] = [];
    const c = createCoalescer<Ev>({ keyOf: (e) => e.id, apply: (b) => batches.push(b) });
    c.flush(); // empty: no call
    expect(batches).toHaveLength(0);
    c.push({ id: 'a', v: 1 });
    c.flush();
    expect(batches).toEqual([[{ id: 'a', v: 1 }]]);
    vi.advanceTimersToNextFrame();
    vi.advanceTimersByTime(200);
    expect(batches).toHaveLength(1);

    c.push({ id: 'b', v: 1 });
    c.cancel();
    expect(c.size).toBe(0);
    vi.advanceTimersByTime(200);
    expect(batches).toHaveLength(1);
  });
});

describe('createCoalescer with a scheduler that runs at once', () => {
  it('applies every push on its own (the uncoalesced baseline of the benchmark)', () => {
    const batches: string[][] = [];
    const c = createCoalescer<Ev>({
      keyOf: (e) => e.id,
      apply: (b) => batches.push(b.map((e) => e.id)),
      schedule: (run) => {
        run();
        return () => {};
      },
    });
    c.push({ id: 'a', v: 1 });
    c.push({ id: 'b', v: 1 });
    c.push({ id: 'a', v: 2 });
    expect(batches).toEqual([['a'], ['b'], ['a']]);
    expect(c.size).toBe(0);
  });
});
