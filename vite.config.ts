import { defineConfig } from 'vite';

// The demo: index.html served by vite; `npm run build` writes it as static files to dist/demo.
// The built demo's signaling server: MESHKEEPER_SIGNALING_URL at build time, else ?signaling= in the
// page's address, else port 4444 of the page's host (`npm run demo` sets it for the dev server).
export default defineConfig({
  define: {
    __MESHKEEPER_SIGNALING_URL__: JSON.stringify(process.env['MESHKEEPER_SIGNALING_URL'] ?? ''),
  },
  build: {
    outDir: 'dist/demo',
    target: 'es2022',
  },
  worker: {
    format: 'es',
  },
  optimizeDeps: {
    // The worker's dependencies too: found late, they would make vite reload the first page.
    include: ['simple-peer/simplepeer.min.js', 'yjs', 'y-protocols/awareness'],
  },
});
