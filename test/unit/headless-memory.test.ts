// The headless service's V8 memory policy (src/main/headless-memory.ts): off when whoever
// starts node tuned the heap; the young-generation cap toggles V8's growth factor only when
// the young generation crosses the cap.
import { describe, expect, it } from 'vitest';
import { policyApplies, youngGenerationCap } from '../../src/main/headless-memory';

const MB = 1024 * 1024;

describe('policyApplies', () => {
  it('applies by default, whatever unrelated flags are set', () => {
    expect(policyApplies([], undefined)).toBe(true);
    expect(policyApplies(['--enable-source-maps'], '--trace-warnings')).toBe(true);
  });

  it('leaves heap tuning to a user who did it (node arguments or NODE_OPTIONS, either spelling)', () => {
    expect(policyApplies(['--max-old-space-size=512'], undefined)).toBe(false);
    expect(policyApplies([], '--max_semi_space_size=8')).toBe(false);
    expect(policyApplies(['--optimize-for-size'], '')).toBe(false);
    expect(policyApplies(['--heap-growing-percent=80'], '')).toBe(false);
  });
});

describe('youngGenerationCap', () => {
  it('stops growth at the cap, resumes it below, and sets the flag only on a change', () => {
    const set: string[] = [];
    const afterGc = youngGenerationCap(16 * MB, (f) => set.push(f));
    afterGc(2 * MB);
    afterGc(8 * MB);
    expect(set).toEqual([]);
    afterGc(16 * MB);
    afterGc(16 * MB);
    expect(set).toEqual(['--semi-space-growth-factor=1']);
    afterGc(4 * MB); // V8 shrank it while idle
    expect(set).toEqual(['--semi-space-growth-factor=1', '--semi-space-growth-factor=2']);
  });
});
