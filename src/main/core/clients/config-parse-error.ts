// A client's config file that QuotaDeck cannot read safely: it is left exactly as it is.
import { AppError } from '../errors';

export class ConfigParseError extends AppError {
  readonly path: string;
  constructor(path: string, reason: string) {
    super('bad_request', `${path} does not parse (${reason}). QuotaDeck left it untouched: fix the file (or remove it) and try again.`, 400, {
      reason: 'config_unparsable',
      path,
    });
    this.name = 'ConfigParseError';
    this.path = path;
  }
}
