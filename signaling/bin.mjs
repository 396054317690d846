#!/usr/bin/env node
// The `meshkeeper-signaling` command. Runs the compiled server from dist/ when the package was built,
// and otherwise runs the TypeScript sources through tsx (a development checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/signaling/main.js', import.meta.url));

if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
