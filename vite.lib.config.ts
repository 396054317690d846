import { defineConfig } from 'vite';

// The library build: `meshkeeper` as ESM for bundlers; types come from tsc (tsconfig.build.json).
export default defineConfig({
  build: {
    outDir: 'dist/lib',
    target: 'es2022',
    emptyOutDir: true,
    sourcemap: true,
    lib: {
      entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
      formats: ['es'],
    },
    rollupOptions: {
      external: [/^lib0/, /^y-protocols/, 'idb-keyval', /^lit/, /^simple-peer/],
    },
  },
});
