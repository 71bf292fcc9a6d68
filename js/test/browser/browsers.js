// The browsers the browser tests run in, behind one small page interface:
// Debian's chromium through playwright-core (chromium.js), and Debian's
// firefox-esr through puppeteer-core over WebDriver BiDi (playwright-core
// cannot drive a stock Firefox). FIREFOX names another binary; a machine
// without one skips Firefox only when WASMVEC_NO_FIREFOX=1 says so;
// WASMVEC_FIREFOX_DISPLAY=1 runs it on $DISPLAY (Xvfb) instead of headless.
import fs from 'node:fs';
import puppeteer from 'puppeteer-core';
import { launch as launchChromium } from './chromium.js';

/**
 * A page of either browser: what the tests use of it.
 * @typedef {object} Page
 * @property {(url: string) => Promise<void>} goto
 * @property {<A, R>(fn: (arg: A) => R, arg?: A) => Promise<Awaited<R>>} evaluate
 * @property {<A>(fn: (arg: A) => unknown, arg: A, timeout: number) => Promise<void>} waitFor
 * @property {(selector: string) => Promise<string>} text
 * @property {(path: string) => Promise<void>} screenshot
 * @property {() => Promise<void>} close
 * @property {string[]} errors uncaught errors of the page, as text
 */

/**
 * A browser the tests run in.
 * @typedef {object} Browser
 * @property {string} name
 * @property {() => Promise<Page>} newPage
 * @property {() => Promise<void>} close
 */

/** @returns {Promise<Browser>} */
async function chromium() {
  const b = await launchChromium();
  return {
    name: 'chromium',
    async newPage() {
      const p = await b.newPage();
      /** @type {string[]} */ const errors = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      return {
        errors,
        goto: async (url) => {
          await p.goto(url);
        },
        evaluate: (fn, arg) => /** @type {any} */ (p.evaluate(/** @type {any} */ (fn), arg)),
        waitFor: async (fn, arg, timeout) => {
          await p.waitForFunction(/** @type {any} */ (fn), arg, { timeout });
        },
        text: async (sel) => (await p.textContent(sel)) ?? '',
        screenshot: async (path) => {
          await p.screenshot({ path, fullPage: true });
        },
        close: () => p.close(),
      };
    },
    close: () => b.close(),
  };
}

/** @returns {Promise<Browser>} */
async function firefox() {
  // Headless Firefox ESR has no WebGL2; with WASMVEC_FIREFOX_DISPLAY=1 (./build.sh test runs the
  // tests under xvfb-run) it runs on the X server of $DISPLAY, where Mesa's llvmpipe gives it one.
  const headless = process.env.WASMVEC_FIREFOX_DISPLAY !== '1' || !process.env.DISPLAY;
  const b = await puppeteer.launch({ browser: 'firefox', executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr', headless });
  return {
    name: 'firefox',
    async newPage() {
      const p = await b.newPage();
      /** @type {string[]} */ const errors = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      return {
        errors,
        goto: async (url) => {
          await p.goto(url);
        },
        evaluate: (fn, arg) => /** @type {any} */ (p.evaluate(/** @type {any} */ (fn), arg)),
        waitFor: async (fn, arg, timeout) => {
          await p.waitForFunction(/** @type {any} */ (fn), { timeout, polling: 100 }, arg);
        },
        text: (sel) => p.$eval(sel, (e) => e.textContent ?? ''),
        screenshot: async (path) => {
          await p.screenshot({ path: /** @type {`${string}.png`} */ (path), fullPage: true });
        },
        close: () => p.close(),
      };
    },
    close: () => b.close(),
  };
}

/**
 * browsers lists the browsers to test in: Chromium, and Firefox unless WASMVEC_NO_FIREFOX=1.
 * @returns {{name: string, launch: () => Promise<Browser>}[]}
 */
export function browsers() {
  const list = [{ name: 'chromium', launch: chromium }];
  if (process.env.WASMVEC_NO_FIREFOX !== '1') {
    const bin = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
    if (!fs.existsSync(bin))
      throw new Error(`no Firefox at ${bin}: install Debian's firefox-esr (./build.sh test does), set FIREFOX, or WASMVEC_NO_FIREFOX=1`);
    list.push({ name: 'firefox', launch: firefox });
  }
  return list;
}
