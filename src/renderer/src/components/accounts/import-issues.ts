// Turns the importer's rejection (ContractError 'import_invalid', details.issues: ImportIssue[]
// numbered from 0 like the importer's messages, see src/main/core/accounts/account-import.ts) into lines a person
// can act on: "Entry 2 (me@example.com): refreshToken: required for antigravity accounts".
import type { ImportIssue } from '../../../../shared/types';

export function importIssuesOf(details: unknown): ImportIssue[] {
  const issues = (details as { issues?: unknown } | null | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (i): i is ImportIssue =>
      typeof i === 'object' && i !== null && typeof (i as ImportIssue).field === 'string' && typeof (i as ImportIssue).message === 'string',
  );
}

/** The document's entries as sent (an array, or `{accounts: [...]}`), to name them by email. */
export function entriesOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  const accounts = (doc as { accounts?: unknown } | null)?.accounts;
  return Array.isArray(accounts) ? accounts : [];
}

function whoIs(entry: unknown): string | null {
  if (typeof entry !== 'object' || entry === null) return null;
  const e = entry as Record<string, unknown>;
  for (const k of ['email', 'label', 'accountId', 'account_id']) if (typeof e[k] === 'string' && e[k]) return e[k] as string;
  return null;
}

/** Entries are numbered from 0 (`entry`, the position in the file), as in the importer's messages and the API. */
export function describeIssue(issue: ImportIssue, entries: readonly unknown[]): string {
  if (issue.entry === null) return issue.field === '(document)' ? `Document: ${issue.message}` : `Document, ${issue.field}: ${issue.message}`;
  const who = issue.label ?? whoIs(entries[issue.index ?? issue.entry]);
  const where = `Entry ${issue.entry}${who ? ` (${who})` : ''}`;
  return issue.field === '(entry)' ? `${where}: ${issue.message}` : `${where}: ${issue.field}: ${issue.message}`;
}
