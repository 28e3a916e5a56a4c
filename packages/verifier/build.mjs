#!/usr/bin/env node
// Builds the kit with TypeScript's own compiler, twice: ESM into dist/esm and CommonJS into dist/cjs (with a
// package.json saying "commonjs", so Node and TypeScript read dist/cjs/*.js and *.d.ts as CommonJS even though
// this package is "type": "module"). Each build goes to a private folder that then replaces dist by two renames,
// so a reader never sees half a build (at worst, for an instant, no dist), and two builds started at once both
// end with a whole one.
//
//   node build.mjs              build
//   node build.mjs --if-stale   build only when dist is missing or older than the sources (scripts/setup.sh,
//                               vitest's global setup, prepack: `npm pack` while tests run must not swap the dist
//                               they are importing)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const here = import.meta.dirname;
const dist = path.join(here, 'dist');
const stampFile = path.join(dist, '.sources-mtime');

/** Newest modification time of what the build reads. */
function sourcesMtime() {
  const files = ['package.json', 'tsconfig.json', 'build.mjs'].map((f) => path.join(here, f));
  for (const entry of readdirSync(path.join(here, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name));
  }
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

const sources = sourcesMtime();
if (process.argv.includes('--if-stale') && existsSync(stampFile) && Number(readFileSync(stampFile, 'utf8')) >= sources) {
  process.exit(0);
}

const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
const work = path.join(here, `dist.tmp-${process.pid}`);
rmSync(work, { recursive: true, force: true });

function compile(outDir, extra) {
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json'), '--outDir', outDir, ...extra], { stdio: 'inherit' });
  if (run.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    console.error('@token-warden/verifier: the build failed (see above).');
    process.exit(run.status ?? 1);
  }
}

compile(path.join(work, 'esm'), []);
compile(path.join(work, 'cjs'), ['--module', 'commonjs', '--moduleResolution', 'node10']);
mkdirSync(path.join(work, 'cjs'), { recursive: true });
writeFileSync(path.join(work, 'cjs/package.json'), '{ "type": "commonjs" }\n');
// The sources' time as read before compiling: an edit made during the build leaves dist stale, as it is.
writeFileSync(path.join(work, '.sources-mtime'), String(sources));

const old = path.join(here, `dist.old-${process.pid}`);
try {
  renameSync(dist, old);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
try {
  renameSync(work, dist);
} catch (error) {
  // Another build put its dist in place between our two renames: it is as fresh as ours.
  if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  rmSync(work, { recursive: true, force: true });
}
rmSync(old, { recursive: true, force: true });
