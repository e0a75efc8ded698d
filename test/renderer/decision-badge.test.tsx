// A cooldown (the upstream unavailable a moment ago) reads as such in the window, not as exhausted.
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DecisionBadge } from '../../src/renderer/src/components/decision-badge';
import { QuotaBar } from '../../src/renderer/src/components/quota-bar';

describe('DecisionBadge', () => {
  it('shows a cooldown as "cooldown · unavailable", styled apart from exhausted', () => {
    const { container } = render(<DecisionBadge decision={{ kind: 'cooldown', remainingFraction: 0.8, resetAt: '2026-03-10T12:00:15.000Z', reason: 'unavailable' }} />);
    const badge = container.querySelector('.badge')!;
    expect(badge.className).toContain('badge-cooldown');
    expect(badge.textContent).toBe('cooldown · unavailable');
    expect(badge.getAttribute('title')).toBe('Decision: cooldown (unavailable)');
    expect(screen.queryByText(/exhausted/)).toBeNull();
  });

  it('colours the bar of a cooling-down quota as its own kind', () => {
    const { container } = render(<QuotaBar fraction={0.8} kind="cooldown" label="Gemini remaining" />);
    expect(container.querySelector('.quota-bar')!.className).toContain('quota-bar-cooldown');
  });
});
