// Headless Chromium for the browser tests and benchmarks: Debian's chromium
// (CHROMIUM names another binary), started with the flags this closed
// network needs (no background connections, no component updates).
import { chromium } from 'playwright-core';

/** launch starts the browser. @returns {Promise<import('playwright-core').Browser>} */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
