/** What the demo page joins, from its address (`?room=…&secret=…&signaling=…`) and the build. */
export interface DemoConfig {
  readonly room: string;
  readonly secret: string;
  readonly signaling: string;
  /** PBKDF2 iterations for the room key (every peer must use the same); null for the library's default. */
  readonly pbkdf2Iterations: number | null;
}

export const DEFAULT_DEMO_ROOM = 'meshkeeper-demo';
/** The demo's public secret: anyone who opens the demo joins. Pick your own with ?secret=. */
export const DEFAULT_DEMO_SECRET = 'meshkeeper demo: not a secret, choose your own with ?secret=';
export const DEFAULT_SIGNALING_PORT = 4444;

/**
 * The demo's room, secret and signaling server. The signaling URL comes from `?signaling=`, else
 * from the build (`npm run demo` defines it), else the page's host on port 4444. BADARGUMENTS-free:
 * a bad value falls back to the default.
 */
export function demoConfig(search: string, page: { readonly protocol: string; readonly hostname: string }, builtSignaling: string): DemoConfig {
  const params = new URLSearchParams(search);
  const text = (name: string, fallback: string, maxChars = 256): string => {
    const value = params.get(name)?.trim() ?? '';
    return value === '' || value.length > maxChars ? fallback : value;
  };
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const signalingFallback = builtSignaling !== '' ? builtSignaling : `${scheme}//${page.hostname}:${DEFAULT_SIGNALING_PORT}`;
  let signaling = text('signaling', signalingFallback, 2048);
  if (!/^wss?:\/\//.test(signaling)) signaling = signalingFallback;
  const iterations = Number(params.get('pbkdf2') ?? '');
  return {
    room: text('room', DEFAULT_DEMO_ROOM),
    secret: text('secret', DEFAULT_DEMO_SECRET, 1024),
    signaling,
    pbkdf2Iterations: Number.isInteger(iterations) && iterations >= 1_000 && iterations <= 10_000_000 ? iterations : null,
  };
}
