/**
 * Loads a renderer module at run time for these unit tests.
 *
 * Why not a plain `import`: test/** is type-checked by tsconfig.node.json, a composite project that may not
 * pull in renderer files (TS6307: they belong to tsconfig.web.json, which has the DOM typings they need).
 * A run-time specifier keeps tsc out of the renderer; each test declares the slice of the module's API it
 * exercises, and a changed signature still fails the test when it runs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RENDERER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/renderer');

/** `relative` is a path under src/renderer, e.g. `api/sse.ts`. */
export async function loadRenderer<T>(relative: string): Promise<T> {
  const specifier = path.join(RENDERER, relative);
  return (await import(/* @vite-ignore */ specifier)) as T;
}
