// `pnpm --filter gallery serve [port]`: serves the static export (run the build first) on localhost.
import { join } from 'node:path';
import { startStaticServer } from './static-server.ts';

const root = join(process.cwd(), process.env.TWINNET_GALLERY_OUT ?? 'out');
const server = await startStaticServer(root, Number(process.argv[2] ?? 3000));
console.log(`gallery: serving ${root} at ${server.url}/`);
