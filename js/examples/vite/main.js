// A page of one's own, bundled by Vite: the Rayon guest's two builds, the
// threaded one where the page is cross-origin isolated, else the
// single-thread one; the Gray–Scott hash of a golden case either way.
import { loadWorker } from 'wasmvec';
import threaded from 'wasmvec/guests/rayon.wasm?url';
import fallback from 'wasmvec/guests/rayon-single.wasm?url';
import { grayScott } from '../app.js';

grayScott(loadWorker, { threaded: new URL(threaded, location.href), fallback: new URL(fallback, location.href) });
