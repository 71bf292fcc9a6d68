// Builds the bundler examples (examples/vite, examples/webpack) into their
// dist/ folders with the pinned vite and webpack, through their Node APIs,
// each with the package installed as a user's npm install would:
//
//	node scripts/build-examples.js
import { build } from 'vite';
import webpack from 'webpack';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import webpackConfig from '../examples/webpack/webpack.config.js';

// Each app gets the package as npm installs it for a user: packed (npm pack: the files of
// package.json) and unpacked into the app's node_modules/wasmvec, a copy, not a link (bundlers
// treat a linked package as the app's own source, and would not show what users see). Its
// dependencies resolve from js/node_modules, two folders up.
const js = fileURLToPath(new URL('..', import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasmvec-pack-'));
const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: js, encoding: 'utf8' }));
for (const app of ['vite', 'webpack']) {
  const dir = fileURLToPath(new URL(`../examples/${app}/node_modules/wasmvec/`, import.meta.url));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(tmp, packed.filename), '-C', dir, '--strip-components=1']);
}
fs.rmSync(tmp, { recursive: true });

const vite = fileURLToPath(new URL('../examples/vite/', import.meta.url));
const t0 = performance.now();
await build({ root: vite, logLevel: 'warn' });
const t1 = performance.now();
await new Promise((resolve, reject) =>
  webpack(/** @type {any} */ (webpackConfig), (err, stats) => {
    if (err) return reject(err);
    if (stats?.hasErrors() || stats?.hasWarnings()) return reject(new Error(stats.toString({ all: false, errors: true, warnings: true })));
    resolve(undefined);
  }),
);
// The page itself, as it is (no HTML plugin: one script tag).
fs.copyFileSync(
  new URL('../examples/webpack/index.html', import.meta.url),
  new URL('../examples/webpack/dist/index.html', import.meta.url),
);
const t2 = performance.now();
console.log(`built examples/vite/dist in ${(t1 - t0).toFixed(0)} ms, examples/webpack/dist in ${(t2 - t1).toFixed(0)} ms`);
