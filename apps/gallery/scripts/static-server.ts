// A minimal static file server for the exported site (`out/`): what the browser tests and `pnpm serve` use.
// Loopback only; trailing-slash routes map to their index.html, as `trailingSlash: true` exports them.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function startStaticServer(root: string, port = 0): Promise<StaticServer> {
  const server: Server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    const found = await resolveFile(file);
    if (found === 'directory') {
      // /runs/x → /runs/x/, so the page's relative URLs resolve as exported.
      response.writeHead(308, { location: `${path}/` }).end();
      return;
    }
    const target = found ?? (await resolveFile(join(root, '404.html')));
    if (typeof target !== 'string') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(found ? 200 : 404, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(target).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The file to send for a path: itself, its index.html, 'directory' for a slashless directory, or none. */
async function resolveFile(path: string): Promise<string | 'directory' | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) return path;
  if (info?.isDirectory()) {
    if (!path.endsWith(sep) && !path.endsWith('/')) return 'directory';
    const index = join(path, 'index.html');
    return (await stat(index).catch(() => undefined))?.isFile() ? index : undefined;
  }
  return undefined;
}
