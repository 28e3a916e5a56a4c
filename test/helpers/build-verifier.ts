/**
 * Vitest global setup: builds packages/verifier when its dist is missing or older than its sources (the
 * build itself decides, and is safe to run from two test runs at once). Everything imports the kit from dist.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../../packages/verifier/build.mjs'), '--if-stale'], { stdio: 'inherit' });
}
