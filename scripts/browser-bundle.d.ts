// Types of browser-bundle.js, for the TypeScript tests and examples that bundle pages.
import type { BuildOptions, BuildResult } from 'esbuild';

export declare const root: string;
export declare function browserBuildOptions(entry: string, outfile: string): BuildOptions;
export declare function bundle(entry: string, outfile: string): Promise<BuildResult<{ metafile: true }>>;
export declare function bundleInMemory(entry: string): Promise<{ js: string; map: string }>;
