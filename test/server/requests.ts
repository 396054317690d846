import { OPEN_ACL_UNSAFE, type Acl } from '../../src/tree/acl.js';
import { CreateMode, type CreateModeFlag } from '../../src/tree/create-mode.js';
import type { RequestBody } from '../../src/wire/client-message.js';

/** Request bodies for the tests, ZooKeeper's defaults filled in. */
export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);

export function create(
  path: string,
  data = '',
  mode: CreateModeFlag = CreateMode.PERSISTENT,
  acl: readonly Acl[] = OPEN_ACL_UNSAFE,
  ttlMs = 0,
): RequestBody {
  return { type: 'create', path, data: bytes(data), acl, mode, ttlMs };
}

export function setData(path: string, data: string, version = -1): RequestBody {
  return { type: 'setData', path, data: bytes(data), version };
}

export function getData(path: string, watch = false): RequestBody {
  return { type: 'getData', path, watch };
}

export function exists(path: string, watch = false): RequestBody {
  return { type: 'exists', path, watch };
}

export function getChildren(path: string, watch = false): RequestBody {
  return { type: 'getChildren', path, watch };
}

export function del(path: string, version = -1): RequestBody {
  return { type: 'delete', path, version };
}

export function sync(path = '/'): RequestBody {
  return { type: 'sync', path };
}
