// One save flow for the Settings page: the sections that keep their own drafts (models, global
// limits, pricing, advanced) register here what they have unsaved, whether it can be saved, and
// how to save and reset it; the page's one save bar counts, saves and resets them all.
import { useEffect, useRef } from 'react';
import { create } from 'zustand';

export interface SavePart {
  /** A name for messages ("Pricing"). */
  label: string;
  /** Changes waiting to be saved. */
  dirty: number;
  /** False while the part's draft has a problem (the part shows which). */
  valid: boolean;
  /** Saves the draft; resolves to an error message, or null when saved. Never rejects. */
  save(): Promise<string | null>;
  reset(): void;
}

interface SavePartsState {
  parts: Record<string, SavePart>;
}

export const useSaveParts = create<SavePartsState>()(() => ({ parts: {} }));

/** Registers a section's draft with the save bar while it is mounted. */
export function useSavePart(id: string, part: SavePart, enabled = true): void {
  const ref = useRef(part);
  ref.current = part;
  const { label, dirty, valid } = part;
  useEffect(() => {
    if (!enabled) return;
    useSaveParts.setState((s) => ({
      parts: { ...s.parts, [id]: { label, dirty, valid, save: () => ref.current.save(), reset: () => ref.current.reset() } },
    }));
  }, [id, label, dirty, valid, enabled]);
  useEffect(() => {
    if (!enabled) return;
    return () =>
      useSaveParts.setState((s) => {
        const { [id]: _, ...rest } = s.parts;
        return { parts: rest };
      });
  }, [id, enabled]);
}

/** Saves every part with changes, one after the other; the problems of those that failed. */
export async function saveParts(parts: Record<string, SavePart>): Promise<string[]> {
  const problems: string[] = [];
  for (const part of Object.values(parts)) {
    if (part.dirty === 0) continue;
    const error = await part.save();
    if (error) problems.push(`${part.label}: ${error}`);
  }
  return problems;
}
