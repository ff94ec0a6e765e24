import { AlignboardError } from '../common/errors.js';

/** The database could not be opened, migrated or reached. */
export class StoreError extends AlignboardError {
  constructor(code: string, message: string, opts: { cause?: unknown } = {}) {
    super(code, message, {}, { status: 503, ...opts });
  }
}
