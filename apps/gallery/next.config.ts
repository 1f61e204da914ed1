import type { NextConfig } from 'next';

const config: NextConfig = {
  // A static site: every page is rendered at build time from the synced artifacts (see scripts/).
  output: 'export',
  // /runs/x/ → runs/x/index.html, which any static file server maps without rewrites.
  trailingSlash: true,
  // @twinnet/core is TypeScript source with `.ts` imports.
  transpilePackages: ['@twinnet/core'],
  // Prerendering loads tfjs through @twinnet/core; bundled into several server chunks it would register its
  // kernels once per chunk. Loaded by Node, it is one module.
  serverExternalPackages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
  // The build type-checks the site's sources only; `pnpm lint` checks the tests and scripts too.
  typescript: { tsconfigPath: 'tsconfig.build.json' },
  // The browser tests build into their own directory, leaving `out/` to the real artifacts.
  ...(process.env.TWINNET_GALLERY_OUT ? { distDir: process.env.TWINNET_GALLERY_OUT } : {}),
};

export default config;
