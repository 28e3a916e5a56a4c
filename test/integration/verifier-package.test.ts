/**
 * The kit as a package (issue 15): `npm pack --workspace packages/verifier` gives a tarball that installs into
 * a fresh directory with no TypeScript tooling and no registry; plain Node loads it through `import` and
 * `require` (each condition reaching its own build), and its declarations type-check a consumer under
 * Node16 resolution both as an ES module and as CommonJS, and reject a wrong call.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installVerifierPackage, REPO_ROOT, type InstalledVerifierPackage } from '../helpers/verifier-package';

const run = promisify(execFile);
const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
let kit: InstalledVerifierPackage;

beforeAll(async () => {
  kit = await installVerifierPackage();
}, 180_000);
afterAll(async () => {
  await kit?.remove();
});

/** Runs plain `node -e` (no tsx, no loader) in `cwd`; resolves with stdout. */
async function node(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd, timeout: 30_000 });
  return stdout.trim();
}

/** tsc by absolute path on `project`; resolves with exit status and output, failing or not. */
async function tsc(project: string): Promise<{ status: number; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, '-p', project, '--listFiles'], { timeout: 120_000, maxBuffer: 16 << 20 });
    return { status: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { status: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** A consumer project in `kit.dir/name`: its own package.json type, a Node16 tsconfig, and `files`. */
async function consumer(name: string, type: 'module' | 'commonjs', files: Record<string, string>): Promise<string> {
  const dir = path.join(kit.dir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
  const compilerOptions = {
    module: 'node16',
    moduleResolution: 'node16',
    target: 'ES2022',
    strict: true,
    noEmit: true,
    // Our declarations are checked too (no skipLibCheck); @types/node comes from this repository, as a user's
    // own would.
    skipLibCheck: false,
    typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
    types: ['node'],
  };
  await writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
  return path.join(dir, 'tsconfig.json');
}

const CONSUMER = `import { createVerifier, VERDICT_REASONS, type KitVerdict, type Verifier } from '@token-warden/verifier';
const verifier: Verifier = createVerifier({ issuer: 'http://127.0.0.1:1', audience: 'api', clientId: 'c', clientSecret: 's' });
export async function check(token: string): Promise<string> {
  const verdict: KitVerdict = await verifier.verify(token);
  return verdict.active ? verdict.claims.sub : verdict.reason;
}
export const reasons: readonly string[] = VERDICT_REASONS;
`;

describe('the @token-warden/verifier tarball', () => {
  it('ships the two builds, their declarations, README and CHANGELOG, and nothing else', async () => {
    const { stdout } = await run('tar', ['-tzf', kit.tarball], { timeout: 30_000 });
    const entries = stdout.split('\n').filter(Boolean).map((entry) => entry.replace(/^package\//, ''));
    for (const needed of ['package.json', 'README.md', 'CHANGELOG.md', 'dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json']) {
      expect(entries).toContain(needed);
    }
    const unexpected = entries.filter((entry) => !/^(package\.json|README\.md|CHANGELOG\.md|dist\/(esm|cjs)\/[a-z-]+\.(js|d\.ts)|dist\/cjs\/package\.json)$/.test(entry));
    expect(unexpected).toEqual([]);
  });

  it('installs with no dependencies at all: the consumer gets the kit and nothing else', async () => {
    const installed = JSON.parse(await readFile(path.join(kit.dir, 'node_modules/@token-warden/verifier/package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) expect(installed[field]).toBeUndefined();
    expect(installed.sideEffects).toBe(false);
    const modules = (await readdir(path.join(kit.dir, 'node_modules'))).filter((name) => !name.startsWith('.'));
    expect(modules).toEqual(['@token-warden']);
  });

  it('loads through import (the ESM build) and through require (the CommonJS build) in plain Node', async () => {
    const imported = await node(kit.dir, [
      '--input-type=module',
      '-e',
      "const kit = await import('@token-warden/verifier'); console.log(typeof kit.createVerifier, typeof kit.fastifyPlugin, import.meta.resolve('@token-warden/verifier'));",
    ]);
    const [importedCreate, , importedFrom] = imported.split(' ');
    expect(importedCreate).toBe('function');
    expect(importedFrom).toMatch(/node_modules\/@token-warden\/verifier\/dist\/esm\/index\.js$/);

    const required = await node(kit.dir, ['-e', "const kit = require('@token-warden/verifier'); console.log(typeof kit.createVerifier, require.resolve('@token-warden/verifier'));"]);
    const [requiredCreate, requiredFrom] = required.split(' ');
    expect(requiredCreate).toBe('function');
    expect(requiredFrom).toMatch(/node_modules\/@token-warden\/verifier\/dist\/cjs\/index\.js$/);
    // What require loaded is CommonJS, not Node's require(esm) of the ES build: dist/cjs says "commonjs".
    const cjsDir = path.join(kit.dir, 'node_modules/@token-warden/verifier/dist/cjs');
    expect(JSON.parse(await readFile(path.join(cjsDir, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(await readFile(path.join(cjsDir, 'index.js'), 'utf8')).toMatch(/require\("\.\/verifier\.js"\)/);
  });

  it('its declarations type-check a consumer as an ES module and as CommonJS (Node16), each through its own build', async () => {
    const esm = await tsc(await consumer('esm-consumer', 'module', { 'consumer.ts': CONSUMER }));
    expect(esm.output.replace(/^\/.*\n/gm, '')).toBe('');
    expect(esm.status).toBe(0);
    expect(esm.output).toMatch(/@token-warden\/verifier\/dist\/esm\/index\.d\.ts/);

    const cjs = await tsc(await consumer('cjs-consumer', 'commonjs', { 'consumer.ts': CONSUMER }));
    expect(cjs.output.replace(/^\/.*\n/gm, '')).toBe('');
    expect(cjs.status).toBe(0);
    expect(cjs.output).toMatch(/@token-warden\/verifier\/dist\/cjs\/index\.d\.ts/);
  });

  it('its declarations refuse a wrong call (the types are real, not any)', async () => {
    const wrong = `import { createVerifier } from '@token-warden/verifier';\ncreateVerifier({ issuer: 43117, audience: 'api', clientId: 'c', clientSecret: 's' });\n`;
    const result = await tsc(await consumer('wrong-consumer', 'module', { 'consumer.ts': wrong }));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/consumer\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });
});
