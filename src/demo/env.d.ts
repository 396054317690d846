/** Set by `npm run demo` (signaling/demo.ts) and by the demo build (vite.config.ts); '' for none. */
declare const __MESHKEEPER_SIGNALING_URL__: string;
