// Types of build-state.js (plain JavaScript, for bin/pure-studio.js), for the build's config and tests.
export const STAMP_NAME: string;
export const BUILD_INPUTS: string[];
export function writeStamp(root: string, outDir: string, files: Iterable<string>, startedAt: number): void;
export function buildState(root: string, outDir?: string): { fresh: true; reason?: undefined } | { fresh: false; reason: string };
