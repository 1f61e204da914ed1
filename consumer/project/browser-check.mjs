// Bundles page.js from the installed @twinnet/core with esbuild for the browser (no externals: a Node built-in
// anywhere in what it reaches fails the build), checks the bundle holds nothing Node-only, serves it with the
// exported matcher and tfjs's .wasm files from a tiny HTTP server, and matches in headless Chromium
// (TWINNET_CHROMIUM, default /usr/bin/chromium) via playwright-core. Exits 1 unless the labels are the expected.
// Usage (in the consumer project): node browser-check.mjs EXPECTED_LABELS_FILE
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const expected = (await readFile(process.argv[2], 'utf8')).trim();
const fail = (message) => {
  console.error(`browser: ${message}`);
  process.exit(1);
};

// 1. The bundle, minified as an app would ship it.
const { metafile } = await build({
  entryPoints: ['page.js'],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  minify: true,
  outfile: 'page.bundle.js',
  metafile: true,
  logLevel: 'warning',
});
await writeFile('page.bundle.meta.json', JSON.stringify(metafile));
const inputs = Object.keys(metafile.inputs);
// Core's Node door and everything only it reaches, the native kernels, tfjs-node: none may be bundled.
const nodeOnly = inputs.filter((path) =>
  /@twinnet\/native|tfjs-node|@twinnet\/core\/dist\/(node|cli-args|backend\/node|io\/(node-io|files|atomic-write|layers-model|process-alive)|match\/(export|node-matcher))\.js/.test(
    path,
  ),
);
if (nodeOnly.length > 0) fail(`the bundle reaches Node-only modules: ${nodeOnly.join(', ')}`);
if (JSON.stringify(metafile).includes('node:')) fail('the bundle metafile mentions a node: module');
// Modules a package's "browser" field replaces by nothing (tfjs's fs, path…): left out, not bundled.
const disabled = inputs.filter((path) => path.startsWith('(disabled)'));
const size = (await stat('page.bundle.js')).size;
console.log(
  `browser: page.bundle.js ${(size / 1024).toFixed(1)} kB minified (esbuild, platform=browser, ${inputs.length} inputs; ` +
    `no node: import; left out by packages' browser fields: ${disabled.map((p) => p.replace(/^\(disabled\):/, '')).join(', ') || 'none'})`,
);

// 2. A static server: the project folder, and /wasm/ from tfjs-backend-wasm's dist.
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};
const WASM_DIR = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
const missing = [];
const wasmServed = [];
const server = createServer(async (request, response) => {
  const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname));
  const file =
    path === '/' ? 'index.html' : path.startsWith('/wasm/') ? join(WASM_DIR, path.slice(6)) : `.${path}`;
  try {
    const body = await readFile(file);
    if (path.startsWith('/wasm/')) wasmServed.push(`${path} (${(body.length / 1024).toFixed(0)} kB)`);
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    response.end(body);
  } catch {
    missing.push(path);
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

// 3. Chromium, launched as the gallery's browser tests launch it.
const browser = await chromium.launch({
  executablePath: process.env.TWINNET_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && errors.push(`console: ${message.text()}`));
  await page.goto(url);
  const result = await page.evaluate(() => window.twinnet);
  if (result.error) fail(`the page failed: ${result.error}`);
  console.log(
    `browser: backend ${result.backend} (${result.simd ? 'simd' : 'no simd'}; served ${wasmServed.join(', ')}), ` +
      `labels ${result.labels}`,
  );
  if (result.backend !== 'wasm') fail(`expected the wasm backend, got ${result.backend}`);
  if (result.labels !== expected) fail(`expected labels ${expected}`);
  if (missing.length > 0) fail(`the page asked for files the server does not have: ${missing.join(', ')}`);
  if (errors.length > 0) fail(`the page reported errors:\n  ${errors.join('\n  ')}`);
} finally {
  await browser.close();
  server.close();
}
