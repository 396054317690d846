import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium; never a downloaded browser. */
export const CHROMIUM_PATH = process.env.MESHKEEPER_CHROMIUM ?? '/usr/bin/chromium';

/**
 * The flags every browser test uses: root-safe, quiet (no background network), and WebRTC allowed to
 * gather 127.0.0.1 host candidates inside the loopback-only namespace the test command enters.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--allow-loopback-in-peer-connection',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** One simulated device: a browser process with its own fresh profile directory. */
export interface Device {
  readonly context: BrowserContext;
  readonly profileDir: string;
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

/** Launches a device; pass `profileDir` to relaunch on an existing profile (IndexedDB kept). */
export async function launchDevice(options: { profileDir?: string } = {}): Promise<Device> {
  const profileDir = options.profileDir ?? mkdtempSync(join(tmpdir(), 'meshkeeper-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  return {
    context,
    profileDir,
    async close(closeOptions = {}) {
      await context.close().catch(() => undefined);
      // Chromium may still be flushing into the profile for a moment after close: retry, and never
      // let cleanup fail a test.
      if (!closeOptions.keepProfile) {
        try {
          rmSync(profileDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        } catch (error) {
          console.warn(`could not remove ${profileDir}: ${String(error)}`);
        }
      }
    },
  };
}

/** True inside the loopback-only namespace that `npm test` enters. */
export function inLoopbackNamespace(): boolean {
  return process.env.MESHKEEPER_LOOPBACK_NETNS === '1';
}
