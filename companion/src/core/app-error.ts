import type { ErrorCode } from '@tierwatch/shared';

/** A domain error that already knows how it reaches a client: a protocol code and a message naming what is wrong. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: (string | number)[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}
