/** How the UI shows and names znodes: paths joined and split, data as text or hex. Pure. */

export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
}

/** How many bytes of binary data are shown in hex. */
export const HEX_PREVIEW_BYTES = 512;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The data as UTF-8 text; null when it is not valid UTF-8. */
export function dataAsText(data: Uint8Array): string | null {
  try {
    return utf8.decode(data);
  } catch {
    return null;
  }
}

/** The first HEX_PREVIEW_BYTES bytes in hex, space separated ('…' when there are more). */
export function dataAsHex(data: Uint8Array): string {
  const shown = Array.from(data.subarray(0, HEX_PREVIEW_BYTES), (byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return data.length > HEX_PREVIEW_BYTES ? `${shown} …` : shown;
}

/** A zxid or session id in hex, as ZooKeeper's tools print them. */
export function hex(value: bigint): string {
  return value < 0n ? String(value) : `0x${value.toString(16)}`;
}
