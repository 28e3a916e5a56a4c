#!/usr/bin/env node
// `npm start`: set up what is missing, build the app if its sources are newer than the build, then open the
// desktop window. Where Electron cannot run (no binary can be had, or no display), say so in one line and
// serve the same console over loopback instead, printing a URL with a one-time login code.
//
//   npm start                      demo mode: throwaway data, memory keys, simulated users and devices
//   npm start -- --data-dir DIR    for real: DIR/warden.db, keys in the OS keychain
//   npm start -- --browser         skip Electron and use the browser console
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
process.chdir(root);

const setup = spawnSync('bash', ['scripts/setup.sh'], { stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);

let args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
args = args.filter((arg) => arg !== '--browser');
// No data directory named: the demo (issue: "npm start on a fresh clone starts in demo mode").
if (!args.some((arg) => arg === '--data-dir' || arg.startsWith('--data-dir=')) && !args.includes('--demo')) args.push('--demo');

/** Newest modification time under a directory (files only). */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

function buildIfNeeded() {
  const marker = path.join(root, 'out/renderer/index.html');
  const sources = Math.max(newest(path.join(root, 'src')), statSync(path.join(root, 'electron.vite.config.ts')).mtimeMs);
  if (existsSync(marker) && existsSync(path.join(root, 'out/main/index.js')) && statSync(marker).mtimeMs >= sources) return;
  console.log('Building the console…');
  // electron-vite's package "exports" hide bin/, so find it next to its package.json (which is exported).
  const cli = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin/electron-vite.js');
  const build = spawnSync(process.execPath, [cli, 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) {
    console.error('token-warden: the build failed (see above).');
    process.exit(1);
  }
}

/** The Electron binary, downloading it on first use where the network allows. Null with a reason otherwise. */
function electronBinary() {
  if (forceBrowser) return { binary: null, why: '--browser was given' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { binary: null, why: 'no display ($DISPLAY is not set)' };
  const pathFile = path.join(root, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) {
    const install = spawnSync(process.execPath, [path.join(root, 'node_modules/electron/install.js')], { stdio: 'ignore', timeout: 180_000 });
    if (install.status !== 0 || !existsSync(pathFile)) return { binary: null, why: 'the Electron binary could not be downloaded' };
  }
  const binary = path.join(root, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { binary, why: null } : { binary: null, why: 'the Electron binary is missing' };
}

/**
 * better-sqlite3 built for Electron's ABI, in a copy under out/native, so the Node build in node_modules
 * (tests, `npm run serve`) stays as it is. Rebuilt only when Electron's version changes.
 */
async function electronSqliteBinding() {
  const electronVersion = JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')).version;
  const nativeRoot = path.join(root, 'out/native');
  const binding = path.join(nativeRoot, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  const stamp = path.join(nativeRoot, 'electron-version');
  if (existsSync(binding) && existsSync(stamp) && readFileSync(stamp, 'utf8') === electronVersion) return binding;
  console.log(`Building the SQLite addon for Electron ${electronVersion}…`);
  rmSync(nativeRoot, { recursive: true, force: true });
  mkdirSync(path.join(nativeRoot, 'node_modules'), { recursive: true });
  writeFileSync(path.join(nativeRoot, 'package.json'), JSON.stringify({ name: 'warden-native', private: true, dependencies: { 'better-sqlite3': '*' } }));
  cpSync(path.join(root, 'node_modules/better-sqlite3'), path.join(nativeRoot, 'node_modules/better-sqlite3'), { recursive: true });
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: nativeRoot, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  writeFileSync(stamp, electronVersion);
  return binding;
}

function run(command, commandArgs, env) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', env });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

buildIfNeeded();
const { binary, why } = electronBinary();
if (binary) {
  let binding;
  try {
    binding = await electronSqliteBinding();
  } catch (error) {
    console.error(`token-warden: could not build the SQLite addon for Electron (${error.message}); using the browser console.`);
  }
  if (binding) {
    const env = { ...process.env, TOKEN_WARDEN_SQLITE_BINDING: binding };
    delete env.ELECTRON_RUN_AS_NODE;
    run(binary, ['.', ...args], env);
  } else {
    run(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', '--console-dir', 'out/renderer', ...args], process.env);
  }
} else {
  console.log(`Electron can't run here (${why}): serving the console in your browser instead.`);
  run(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', '--console-dir', 'out/renderer', ...args], process.env);
}
