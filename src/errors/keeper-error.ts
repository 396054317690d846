import { ErrorCode, errorCodeName, type ErrorCodeName, type ErrorCodeNumber } from './error-code.js';

/**
 * The one error type meshkeeper reports: ZooKeeper's KeeperException, with its code name and number.
 * `path` names the znode the failing operation addressed, when there was one.
 */
export class KeeperError extends Error {
  readonly code: ErrorCodeNumber;
  readonly codeName: ErrorCodeName;
  readonly path: string | undefined;

  constructor(codeName: ErrorCodeName, message?: string, path?: string) {
    const text = message ?? codeName;
    super(path === undefined ? `${codeName}: ${text}` : `${codeName} for ${path}: ${text}`);
    this.name = 'KeeperError';
    this.codeName = codeName;
    this.code = ErrorCode[codeName];
    this.path = path;
  }

  /** Builds the error for a code number received from elsewhere (a reply, a txn). */
  static fromCode(code: number, message?: string, path?: string): KeeperError {
    const name = errorCodeName(code);
    if (name === undefined || name === 'OK') {
      return new KeeperError('SYSTEMERROR', `unknown error code ${code}${message ? `: ${message}` : ''}`, path);
    }
    return new KeeperError(name, message, path);
  }
}

export function isKeeperError(value: unknown, codeName?: ErrorCodeName): value is KeeperError {
  return value instanceof KeeperError && (codeName === undefined || value.codeName === codeName);
}

/** Guards a programmer error: an invariant of meshkeeper's own code, never a user's bad input. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`meshkeeper assertion failed: ${message}`);
}
