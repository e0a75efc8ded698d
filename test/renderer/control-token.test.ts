import { describe, expect, it } from 'vitest';
import { TOKEN_STORAGE_KEY, takeControlToken } from '../../src/renderer/src/api/control-token';

describe('takeControlToken', () => {
  it('takes the token from the fragment, keeps it for the tab and strips it from the address bar', () => {
    history.replaceState(null, '', '/?view=1#token=s3cret&tab=x');
    expect(takeControlToken(location, history, sessionStorage)).toBe('s3cret');
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('s3cret');
    expect(location.hash).toBe('#tab=x');
    expect(location.search).toBe('?view=1');
    expect(location.href).not.toContain('s3cret');

    // A reload (no fragment any more) finds it in sessionStorage.
    history.replaceState(null, '', '/');
    expect(takeControlToken(location, history, sessionStorage)).toBe('s3cret');
  });

  it('answers null when there is no token anywhere', () => {
    history.replaceState(null, '', '/');
    expect(takeControlToken(location, history, sessionStorage)).toBeNull();
  });
});
