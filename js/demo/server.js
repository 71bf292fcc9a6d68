// A loopback dev server for the demo: the repository's files, with the two
// headers that make a page cross-origin isolated (SharedArrayBuffer, so
// threaded guests), unless --no-isolation is given.
//
//	node demo/server.js [--port 8080] [--no-isolation]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const types = /** @type {Record<string, string>} */ ({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.png': 'image/png',
});

/**
 * serve starts the server on 127.0.0.1:port (0: any free port) and resolves with it. It serves
 * the repository (and / redirects to the demo), or the folder o.root (a bundled app's output).
 * @param {{port?: number, isolation?: boolean, root?: string}} [o]
 * @returns {Promise<http.Server>}
 */
export function serve(o = {}) {
  const top = o.root ? path.resolve(o.root) + path.sep : root;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let p = path.normalize(path.join(top, decodeURIComponent(url.pathname)));
    if (!p.startsWith(top)) {
      res.writeHead(403).end();
      return;
    }
    if (url.pathname === '/' && !o.root) {
      res.writeHead(302, { location: '/js/demo/' }).end();
      return;
    }
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) p = path.join(p, 'index.html');
    fs.readFile(p, (err, data) => {
      if (err) {
        res.writeHead(404).end('not found');
        return;
      }
      /** @type {Record<string, string>} */
      const h = { 'content-type': types[path.extname(p)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
      if (o.isolation !== false) {
        h['cross-origin-opener-policy'] = 'same-origin';
        h['cross-origin-embedder-policy'] = 'require-corp';
      }
      res.writeHead(200, h).end(data);
    });
  });
  return new Promise((resolve) => server.listen(o.port ?? 0, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8080;
  const isolation = !process.argv.includes('--no-isolation');
  const s = await serve({ port, isolation });
  const a = /** @type {import('node:net').AddressInfo} */ (s.address());
  console.log(
    `wasmvec demo: http://127.0.0.1:${a.port}/js/demo/ (${isolation ? 'cross-origin isolated' : 'without the isolation headers'}; Ctrl-C stops it)`,
  );
}
