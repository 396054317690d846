import { KeeperError, isKeeperError } from '../errors/keeper-error.js';

/** The one error the codec raises: MARSHALLINGERROR, naming what was being read or written and where. */
export function marshallingError(what: string, problem: string, offset?: number): KeeperError {
  const where = offset === undefined ? '' : ` at byte ${offset}`;
  return new KeeperError('MARSHALLINGERROR', `${what}${where}: ${problem}`);
}

/**
 * Runs an encode or decode step so that whatever goes wrong surfaces as MARSHALLINGERROR: a
 * KeeperError MARSHALLINGERROR passes through; any other error (a lib0 "Unexpected end of array", a
 * RangeError from an engine limit, a TypeError from a malformed value) is wrapped, naming `what`.
 */
export function asMarshalling<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (isKeeperError(error, 'MARSHALLINGERROR')) throw error;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw marshallingError(what, detail);
  }
}
