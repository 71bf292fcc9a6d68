// Reading the golden files the Go side writes (internal/golden): one copy
// of each expected result, in js/test/golden.
import fs from 'node:fs';

/** @param {string} name */
export function golden(name) {
  return JSON.parse(fs.readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8'));
}

export { f64s, bitsHex, fnv, meshHash, seriesValue, gsInit } from './workloads.js';

/** The repository's root. */
export const root = new URL('../../', import.meta.url);
