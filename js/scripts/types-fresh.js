// Fails when the committed type declarations (types/) differ from what tsc
// makes of the JSDoc in src/ now (run `npm run types` and commit them).
import fs from 'node:fs';
import path from 'node:path';

const fresh = process.argv[2];
const committed = new URL('../types/', import.meta.url);
const names = (/** @type {string | URL} */ d) =>
  fs
    .readdirSync(d)
    .filter((f) => f.endsWith('.d.ts'))
    .sort();
const a = names(committed),
  b = names(fresh);
let stale = JSON.stringify(a) !== JSON.stringify(b) ? [`files: ${a} vs ${b}`] : [];
for (const f of b) {
  const x = fs.existsSync(new URL(f, committed)) ? fs.readFileSync(new URL(f, committed), 'utf8') : '';
  if (x !== fs.readFileSync(path.join(fresh, f), 'utf8')) stale.push(f);
}
if (stale.length) {
  console.error(`js/types is stale (${stale.join(', ')}): run npm run types in js/ and commit it`);
  process.exit(1);
}
console.log(`js/types: ${b.length} declaration files, up to date`);
