/**
 * Errors a user can fix (a bad flag, an unusable --out target): the CLI prints their message
 * as one line and exits 1. Config fields use ConfigError (config.ts), limits ResourceError
 * (resources.ts); anything else is a bug and exits 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
