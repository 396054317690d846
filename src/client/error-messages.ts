import type { ErrorCodeName } from '../errors/error-code.js';
import { KeeperError } from '../errors/keeper-error.js';
import { errorCodeName } from '../errors/error-code.js';

/** What each code means, in the words of ZooKeeper's KeeperException messages. */
const DESCRIPTIONS: Readonly<Partial<Record<ErrorCodeName, string>>> = {
  SYSTEMERROR: 'system error',
  RUNTIMEINCONSISTENCY: 'a runtime inconsistency was found',
  DATAINCONSISTENCY: 'a data inconsistency was found',
  CONNECTIONLOSS: 'connection lost',
  MARSHALLINGERROR: 'error while marshalling or unmarshalling data',
  UNIMPLEMENTED: 'operation is unimplemented',
  OPERATIONTIMEOUT: 'operation timeout',
  BADARGUMENTS: 'invalid arguments',
  UNKNOWNSESSION: 'unknown session',
  NEWCONFIGNOQUORUM: 'no quorum of new config is connected and up-to-date with the leader',
  RECONFIGINPROGRESS: 'another reconfiguration is in progress',
  APIERROR: 'API error',
  NONODE: 'the node does not exist',
  NOAUTH: 'not authorized',
  BADVERSION: 'the version does not match',
  NOCHILDRENFOREPHEMERALS: 'ephemeral nodes may not have children',
  NODEEXISTS: 'the node already exists',
  NOTEMPTY: 'the node has children',
  SESSIONEXPIRED: 'the session has expired',
  INVALIDCALLBACK: 'invalid callback',
  INVALIDACL: 'invalid ACL',
  AUTHFAILED: 'client authentication failed',
  SESSIONMOVED: 'the session moved to another replica, so the operation is ignored',
  NOTREADONLY: 'not a read-only call',
  NOWATCHER: 'no such watcher',
  REQUESTTIMEOUT: 'request timeout',
  QUOTAEXCEEDED: 'quota exceeded',
  THROTTLEDOP: 'the operation was throttled due to high load',
};

/** ZooKeeper's description of an error code ('the node does not exist'), or undefined for an unknown code. */
export function describeCode(code: number): string | undefined {
  const name = errorCodeName(code);
  return name === undefined ? undefined : DESCRIPTIONS[name];
}

/** The KeeperError for an error code a replica answered, with ZooKeeper's description of the code. */
export function keeperErrorOf(code: number, path?: string): KeeperError {
  return KeeperError.fromCode(code, describeCode(code), path);
}
