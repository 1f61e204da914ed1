// The artifact and bench-record schemas that cross between workspaces (zod only, no tfjs).
// Browser-safe, like the package's root door that re-exports it.

export * from './artifacts.ts';
export * from './bench.ts';
export * from './matcher.ts';
