/**
 * console: with the scale store (100k users, 1M sessions), the time from the service's "listening" line to
 * the Users view showing its first page in Chromium, and the size of the built renderer. The server is the
 * browser-console service `npm start` falls back to where Electron cannot run (`headless.ts --console-dir
 * out/renderer`), started on a copy of the scale store (a real clock would purge and re-key the original).
 * Each trial is a fresh server and a fresh browser context (no cache). Target < 1.5 s.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT, spawnTs, waitForStdout } from '../lib/child';
import { boundRow, check, type BenchRow, type Suite } from '../lib/report';
import { DEFAULT_SCALE, ensureScaleStore, fileBytes, WORK_DIR } from '../lib/scale-store';
import { latencySummary, median } from '../lib/stats';

const TRIALS = 5;
const TARGET_MS = 1_500;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const RENDERER = path.join(REPO_ROOT, 'out', 'renderer');
const COPY_DIR = path.join(WORK_DIR, 'console');
const COPY_DB = path.join(COPY_DIR, 'warden.db');
const COPY_META = path.join(COPY_DIR, 'copied-from.json');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Total bytes of out/renderer, and of its JS and CSS gzipped (what a browser downloads compressed). */
function bundleSize(): { files: number; bytes: number; scriptAndStyleGzipBytes: number } {
  const files = filesUnder(RENDERER);
  let bytes = 0;
  let gzip = 0;
  for (const file of files) {
    bytes += statSync(file).size;
    if (/\.(js|css)$/.test(file)) gzip += gzipSync(readFileSync(file)).length;
  }
  return { files: files.length, bytes, scriptAndStyleGzipBytes: gzip };
}

/** A console-only copy of the scale store, refreshed when the scale store was regenerated. */
function consoleCopy(source: string, generatedAt: string, log: (line: string) => void): void {
  const stamp = existsSync(COPY_META) ? (JSON.parse(readFileSync(COPY_META, 'utf8')) as { generatedAt?: string }).generatedAt : undefined;
  if (stamp === generatedAt && existsSync(COPY_DB)) return;
  rmSync(COPY_DIR, { recursive: true, force: true });
  mkdirSync(COPY_DIR, { recursive: true, mode: 0o700 });
  const started = performance.now();
  copyFileSync(source, COPY_DB);
  writeFileSync(COPY_META, JSON.stringify({ generatedAt }));
  log(`copied the scale store for the console in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The newest user (first row of the first page) and the user count, read from the copy itself. */
function expectedFirstPage(): { newest: string; total: number } {
  const db = new Database(COPY_DB, { readonly: true, fileMustExist: true });
  try {
    const newest = (db.prepare('SELECT username FROM users ORDER BY created_at DESC, rowid DESC LIMIT 1').get() as { username: string }).username;
    const total = (db.prepare("SELECT n FROM row_counts WHERE name = 'users'").get() as { n: number }).n;
    return { newest, total };
  } finally {
    db.close();
  }
}

async function trial(browser: Browser, newest: string, total: number): Promise<number> {
  const server = spawnTs('src/main/headless.ts', ['--console-dir', RENDERER, '--data-dir', COPY_DIR, '--key-store', 'memory', '--port', '0']);
  // Both lines may arrive in one chunk: note the listening line's arrival with its own listener.
  let ready = 0;
  let seen = '';
  server.proc.stdout?.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (ready === 0 && seen.includes('Token Warden listening on')) ready = performance.now();
  });
  const consoleLine = waitForStdout(server.proc, /Console: (http:\/\/127\.0\.0\.1:\d+\/\S+)/, 120_000);
  // The browser is already open with a blank tab, as an operator's would be: only the console's own work counts.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const consoleUrl = (await consoleLine)[1]!;
    check(ready > 0, 'the service printed its console URL without the listening line');
    await page.goto(`${consoleUrl}#/users`, { waitUntil: 'commit', timeout: 30_000 });
    await page.getByTestId(`user-link-${newest}`).waitFor({ state: 'visible', timeout: 30_000 });
    const elapsed = performance.now() - ready;
    const shown = (await page.getByTestId('users-total').textContent()) ?? '';
    check(shown.replace(/\D/g, '') === String(total), `the Users view shows "${shown}", the store holds ${total} users`);
    return elapsed;
  } finally {
    await context.close();
    await server.stop();
  }
}

export const consoleSuite: Suite = {
  name: 'console',
  describe: 'server ready → Users view first page in Chromium, on the scale store; renderer bundle size',
  async run({ log }) {
    const skip = (reason: string) => ({ rows: [], figures: {}, notes: [], skipped: reason });
    if (!existsSync(path.join(RENDERER, 'index.html'))) return skip('the console is not built (out/renderer/index.html is missing; run `npm run build`)');
    if (!existsSync(CHROMIUM)) return skip(`${CHROMIUM} is not installed`);
    const store = await ensureScaleStore(DEFAULT_SCALE, log);
    consoleCopy(store.dbPath, store.meta.generatedAt, log);
    const { newest, total } = expectedFirstPage();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
    const times: number[] = [];
    try {
      for (let i = 0; i < TRIALS; i += 1) {
        times.push(await trial(browser, newest, total));
        log(`trial ${i + 1}: ${times[i]!.toFixed(0)} ms`);
      }
    } finally {
      await browser.close();
    }
    const summary = latencySummary(times);
    const bundle = bundleSize();
    const rows: BenchRow[] = [
      boundRow('console', `server ready → Users first page (${total.toLocaleString('en-US')} users): median of ${TRIALS} (max ${summary.max.toFixed(0)} ms)`, { value: Math.round(median(times)), unit: 'ms' }, TARGET_MS),
      boundRow('console', `renderer bundle (out/renderer, ${bundle.files} files; JS+CSS gzipped ${(bundle.scriptAndStyleGzipBytes / 1024).toFixed(0)} KiB)`, { value: Math.round(bundle.bytes / 1024), unit: 'KiB' }, null),
    ];
    return {
      rows,
      figures: { trialsMs: times.map(Math.round), summary, bundle, storeBytes: fileBytes(COPY_DB) },
      notes: [
        `Each trial: a fresh service on a copy of the scale store and a fresh Chromium context (blank tab already open); the clock starts at the "listening" line and stops when the newest user's row is visible (and the total reads ${total.toLocaleString('en-US')}). Chromium ${CHROMIUM} headless with ${CHROMIUM_FLAGS.join(' ')}.`,
      ],
    };
  },
};
