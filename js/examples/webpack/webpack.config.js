// webpack 5 needs nothing of its own for the wasmvec package: its Workers
// (new Worker(new URL('./compute-worker.js', import.meta.url), { type:
// 'module' })), the guests (new URL('wasmvec/guests/….wasm',
// import.meta.url)) and the dependencies the Workers import are found and
// emitted by the defaults. This file only names the page's entry and output.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: './main.js',
  output: { path: fileURLToPath(new URL('dist/', import.meta.url)), filename: 'main.js', clean: true },
};
