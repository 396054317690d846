import { defineConfig } from 'vite';

// The demo: index.html served by vite; `npm run build` writes it as static files to dist/demo.
export default defineConfig({
  build: {
    outDir: 'dist/demo',
    target: 'es2022',
  },
  worker: {
    format: 'es',
  },
  optimizeDeps: {
    include: ['simple-peer/simplepeer.min.js'],
  },
});
