// A logger that keeps redacted lines in memory: used by tests to prove what is (not) logged.
import type { Logger } from '../ports';
import { redact } from './redact';

export interface MemoryLogger extends Logger {
  lines: string[];
}

export function createMemoryLogger(lines: string[] = []): MemoryLogger {
  const make = (scope: string): MemoryLogger => {
    const write = (level: string) => (message: string, ...data: unknown[]) => {
      const parts = [message, ...data].map((d) => redact(d)).map((d) => (typeof d === 'string' ? d : d instanceof Error ? `${d.name}: ${d.message}` : JSON.stringify(d)));
      lines.push(`[${level}]${scope ? ` (${scope})` : ''} ${parts.join(' ')}`);
    };
    return {
      lines,
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      scope: (name) => make(scope ? `${scope}:${name}` : name),
    };
  };
  return make('');
}
