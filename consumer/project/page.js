// The browser consumer: bundled from the installed tarball by esbuild (browser-check.mjs), it loads the exported
// matcher over HTTP on the wasm backend, adds the supports of digits.json and matches its queries. The result
// (or the error) is left in window.twinnet for the checker.
import { initBackend, Matcher } from '@twinnet/core';

async function run() {
  // The .wasm files of @tensorflow/tfjs-backend-wasm, served by the checker under /wasm/.
  const backend = await initBackend('wasm', { wasmPaths: '/wasm/' });
  const matcher = await Matcher.load(new URL('matcher/', window.location.href).href);
  const { supports, queries } = await (await fetch('digits.json')).json();
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  for (const [label, images] of Object.entries(supports)) matcher.add(label, images.map(bytes));
  const labels = queries.map((q) => matcher.match(bytes(q)).label).join(' ');
  document.getElementById('labels').textContent = labels;
  return { backend: backend.name, simd: backend.simd, labels };
}

window.twinnet = run().catch((error) => ({ error: String(error?.stack ?? error) }));
