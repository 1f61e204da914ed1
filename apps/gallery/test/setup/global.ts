import type { TestProject } from 'vitest/node';
import { startStaticServer } from '../../scripts/static-server.ts';
import { checkChromium } from './browser.ts';
import { ensureFixtures } from './fixtures.ts';
import { ensureSite } from './site.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  checkChromium();
  await ensureFixtures();
  const site = await ensureSite();
  const server = await startStaticServer(site);
  project.provide('baseUrl', server.url);
  return () => server.close();
}
