// Named errors with stable codes; the API layer turns them into envelope errors.
import type { ErrorCode } from '../../shared/contract';
import type { ImportIssue } from '../../shared/types';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, status = 400, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not_found', `${what} not found`, 404);
    this.name = 'NotFoundError';
  }
}

export class ImportInvalidError extends AppError {
  readonly issues: ImportIssue[];
  constructor(issues: ImportIssue[]) {
    const first = issues
      .slice(0, 10)
      .map((i) => (i.entry === null ? `${i.field}: ${i.message}` : `entry ${i.entry}${i.label ? ` (${i.label})` : ''}, ${i.field}: ${i.message}`))
      .join('; ');
    const more = issues.length > 10 ? ` (and ${issues.length - 10} more)` : '';
    super('import_invalid', `Import rejected, nothing was changed. ${first}${more}`, 400, { issues });
    this.name = 'ImportInvalidError';
    this.issues = issues;
  }
}

export class NoAccountAvailableError extends AppError {
  readonly earliestResetAt: number | null;
  constructor(model: string, earliestResetAt: number | null) {
    const when = earliestResetAt === null ? 'no reset time is known' : `earliest reset at ${new Date(earliestResetAt).toISOString()}`;
    super('no_account_available', `No account available for model "${model}"; ${when}`, 429, {
      model,
      earliestResetAt: earliestResetAt === null ? null : new Date(earliestResetAt).toISOString(),
    });
    this.name = 'NoAccountAvailableError';
    this.earliestResetAt = earliestResetAt;
  }
}
