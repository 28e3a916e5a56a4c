/**
 * The kit as its users get it: `npm pack --workspace packages/verifier` (whose prepack builds it), then the
 * tarball installed into a fresh directory that has no TypeScript tooling and nothing of this repository.
 * Tests load the installed copy through Node's own resolution, once through the `import` condition and once
 * through `require`, so they exercise exactly what the tarball ships.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const PACKAGE_NAME = '@token-warden/verifier';

export type VerifierKit = typeof import('@token-warden/verifier');

export interface InstalledVerifierPackage {
  /** The consumer directory: its package.json and node_modules/@token-warden/verifier. */
  dir: string;
  /** The packed tarball (inside `dir`). */
  tarball: string;
  /** The kit through the `import` condition (Node's ESM resolver, from a module inside `dir`). */
  importKit(): Promise<VerifierKit>;
  /** The kit through the `require` condition. */
  requireKit(): VerifierKit;
  /** Runs the repository's tsc by absolute path with `dir/tsconfig.json`; resolves with its output and status. */
  typecheck(): Promise<{ status: number; output: string }>;
  remove(): Promise<void>;
}

/**
 * npm reads `npm_config_*` from its environment; under `npx vitest` those describe this repository (its
 * workspaces, its prefix), so the child npm runs get an environment without them.
 */
function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
}

/** Packs and installs the kit. Bounded: each npm step is killed past its timeout. */
export async function installVerifierPackage(timeoutMs = 120_000): Promise<InstalledVerifierPackage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-kit-consumer-'));
  const env = npmEnvironment();
  try {
    await run('npm', ['pack', '--workspace', 'packages/verifier', '--pack-destination', dir], { cwd: REPO_ROOT, env, timeout: timeoutMs, maxBuffer: 16 << 20 });
    const tarballs = (await readdir(dir)).filter((name) => name.endsWith('.tgz'));
    if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${dir}`);
    const tarball = path.join(dir, tarballs[0]!);
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'kit-consumer', version: '1.0.0', private: true }));
    // The kit has no dependencies, so the tarball installs without the registry.
    await run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir, env, timeout: timeoutMs, maxBuffer: 16 << 20 });
    // A module inside node_modules: vitest hands it to Node as is, so the bare specifier below goes through
    // Node's resolver and the package's `import` condition, as in any user's ESM app.
    const entryDir = path.join(dir, 'node_modules', '.kit-entry');
    await mkdir(entryDir, { recursive: true });
    await writeFile(path.join(entryDir, 'index.mjs'), `export * from '${PACKAGE_NAME}';\n`);
    const requireFromConsumer = createRequire(path.join(dir, 'package.json'));
    return {
      dir,
      tarball,
      importKit: () => import(/* @vite-ignore */ pathToFileURL(path.join(entryDir, 'index.mjs')).href) as Promise<VerifierKit>,
      requireKit: () => requireFromConsumer(PACKAGE_NAME) as VerifierKit,
      async typecheck() {
        const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
        try {
          const { stdout, stderr } = await run(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: dir, timeout: timeoutMs, maxBuffer: 16 << 20 });
          return { status: 0, output: stdout + stderr };
        } catch (error) {
          const failed = error as { code?: unknown; stdout?: string; stderr?: string };
          if (typeof failed.code !== 'number') throw error;
          return { status: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
        }
      },
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
