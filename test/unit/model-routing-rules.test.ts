// The pure parts of model routing: alias resolution, the fallback chain's order, cycle detection
// (the settings schema's refusal), the session key a request carries, and the bounded session map.
import { describe, expect, it } from 'vitest';
import { settingsPatchSchema } from '../../src/shared/contract';
import { findModelCycle, modelChain, modelRoutingProblem, resolveAlias } from '../../src/shared/model-routing-rules';
import { sessionKeyOf, StickySessions } from '../../src/main/core/proxy/sticky-sessions';

describe('model aliases and fallback chains', () => {
  it('resolves aliases through several hops and leaves other names alone', () => {
    const aliases = { 'claude-opus-4-5-20251101': 'opus', opus: 'claude-opus-4-5' };
    expect(resolveAlias(aliases, 'claude-opus-4-5-20251101')).toBe('claude-opus-4-5');
    expect(resolveAlias(aliases, 'gpt-5')).toBe('gpt-5');
    // Inherited object keys are not aliases.
    expect(resolveAlias(aliases, 'constructor')).toBe('constructor');
  });

  it('orders the chain depth first, each model once, alias-resolving every step', () => {
    const aliases = { big: 'claude-opus-4-5', mid: 'claude-sonnet-4-5' };
    const fallbacks = { 'claude-opus-4-5': ['mid', 'gemini-2.5-pro'], 'claude-sonnet-4-5': ['claude-haiku-4-5', 'gemini-2.5-pro'] };
    expect(modelChain(aliases, fallbacks, 'big')).toEqual(['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-pro']);
    expect(modelChain({}, {}, 'x')).toEqual(['x']);
    // Fallbacks keyed by the name the client sent count too.
    expect(modelChain({ a: 'b' }, { a: ['c'] }, 'a')).toEqual(['b', 'c']);
  });

  it('finds cycles through aliases and fallbacks together', () => {
    expect(findModelCycle({ a: 'b' }, { b: ['c'], c: ['a'] })).toEqual(['a', 'b', 'c', 'a']);
    expect(findModelCycle({}, { x: ['x'] })).toEqual(['x', 'x']);
    expect(findModelCycle({ a: 'b' }, { b: ['c', 'd'], d: ['c'] })).toBeNull();
    expect(modelRoutingProblem({}, { a: ['b', 'b'] })).toMatch(/twice/);
    expect(modelRoutingProblem({ a: 'b' }, { b: ['c'] })).toBeNull();
  });

  it('the settings schema refuses a cycle, globs and blank names, and takes removals', () => {
    const bad = settingsPatchSchema.safeParse({ modelFallbacks: { a: ['b'], b: ['a'] } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['modelFallbacks'], message: expect.stringContaining('a → b → a') });
    expect(settingsPatchSchema.safeParse({ modelAliases: { 'claude-*': 'x' } }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ modelAliases: { a: ' ' } }).success).toBe(false);
    expect(settingsPatchSchema.safeParse({ modelAliases: { a: '' }, modelFallbacks: { b: [] } }).success).toBe(true);
    expect(settingsPatchSchema.safeParse({ stickySessionTtlSec: 5 }).success).toBe(false);
  });
});

describe('sticky sessions', () => {
  it('reads the session key: x-session-id, then Anthropic metadata.user_id, then prompt_cache_key, then user', () => {
    expect(sessionKeyOf({ 'x-session-id': 'h' }, { metadata: { user_id: 'm' }, user: 'u' })).toBe('h');
    expect(sessionKeyOf({}, { metadata: { user_id: 'm' }, user: 'u' })).toBe('m');
    expect(sessionKeyOf({}, { prompt_cache_key: 'p', user: 'u' })).toBe('p');
    expect(sessionKeyOf({}, { user: 'u' })).toBe('u');
    expect(sessionKeyOf({}, { user: 42, metadata: 'x' })).toBeNull();
    expect(sessionKeyOf({}, { user: 'x'.repeat(600) })).toBeNull();
  });

  it('remembers per session and model, expires idle entries, and drops the least recently served when full', () => {
    const s = new StickySessions(2);
    s.remember('s1', 'm', 'acc-1', 0);
    expect(s.preferred('s1', 'm', 1000, 5000)).toBe('acc-1');
    expect(s.preferred('s1', 'other', 1000, 5000)).toBeNull();
    expect(s.preferred('s1', 'm', 6001, 5000)).toBeNull();
    expect(s.size).toBe(0);

    s.remember('s1', 'm', 'acc-1', 0);
    s.remember('s2', 'm', 'acc-2', 1);
    s.remember('s1', 'm', 'acc-3', 2); // s1 served again: now the most recent
    s.remember('s3', 'm', 'acc-4', 3); // full: s2 goes
    expect(s.size).toBe(2);
    expect(s.preferred('s2', 'm', 3, 5000)).toBeNull();
    expect(s.preferred('s1', 'm', 3, 5000)).toBe('acc-3');
    expect(s.preferred('s3', 'm', 3, 5000)).toBe('acc-4');
  });
});
