// A page of one's own, bundled by webpack 5: the Rayon guest's two builds,
// the threaded one where the page is cross-origin isolated, else the
// single-thread one; the Gray–Scott hash of a golden case either way.
import { loadWorker } from 'wasmvec';
import { grayScott } from '../app.js';

grayScott(loadWorker, {
  threaded: new URL('wasmvec/guests/rayon.wasm', import.meta.url),
  fallback: new URL('wasmvec/guests/rayon-single.wasm', import.meta.url),
});
