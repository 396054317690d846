import { defineConfig } from 'vite';

// The library build: `meshkeeper`, `meshkeeper/testing`, `meshkeeper/browser` and `meshkeeper/ui` as ESM for
// bundlers (the browser entry bundles the replica worker as its own chunk); types come from tsc
// (tsconfig.build.json).
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: {
    outDir: 'dist/lib',
    target: 'es2022',
    emptyOutDir: true,
    sourcemap: true,
    lib: {
      entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', browser: 'src/browser/index.ts', ui: 'src/ui/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^lib0/, /^y-protocols/, /^yjs/, 'idb-keyval', /^lit/, /^simple-peer/],
    },
  },
});
