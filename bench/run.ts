/**
 * `npm run bench [-- suite…]`: runs the named suites (all when none is named), prints one table, and writes
 * bench/results/latest.json (merged: suites not run this time keep their last figures, each with its own
 * date and load), bench/results/TABLE.md and the section of docs/benchmarks.md between the bench markers.
 *
 * Every suite checks the answers it is about to time first; a wrong answer stops the run with exit code 1
 * and nothing is written. All load goes to 127.0.0.1; every loop is bounded in count and in time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeMachine, machineInfo, type MachineInfo } from './lib/machine';
import { BenchCheckError, type Suite, type SuiteResult } from './lib/report';
import { markdownTable, textTable } from './lib/table';

const SUITES: Record<string, () => Promise<Suite>> = {
  verify: async () => (await import('./suites/verify')).verifySuite,
  token: async () => (await import('./suites/token-endpoint')).tokenEndpointSuite,
  propagation: async () => (await import('./suites/propagation')).propagationSuite,
  scale: async () => (await import('./suites/scale')).scaleSuite,
  console: async () => (await import('./suites/console')).consoleSuite,
  signin: async () => (await import('./suites/signin')).signinSuite,
  cluster: async () => (await import('./suites/cluster')).clusterSuite,
};
const ALIASES: Record<string, string> = { 'token-endpoint': 'token' };

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const LATEST = `${RESULTS_DIR}latest.json`;
const TABLE_MD = `${RESULTS_DIR}TABLE.md`;
const BENCH_PAGE = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const START_MARK = '<!-- bench:start -->';
const END_MARK = '<!-- bench:end -->';

interface LatestFile {
  generatedAt: string;
  machine: MachineInfo;
  suites: Record<string, SuiteResult>;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const round2 = (values: number[]) => values.map((v) => Math.round(v * 100) / 100);

function chosenSuites(argv: string[]): string[] {
  const names = argv.filter((arg) => arg !== '--').map((arg) => ALIASES[arg] ?? arg);
  const unknown = names.filter((name) => !(name in SUITES));
  if (unknown.length > 0) {
    log(`Unknown suite(s): ${unknown.join(', ')}. Suites: ${Object.keys(SUITES).join(', ')}.`);
    process.exit(2);
  }
  return names.length > 0 ? [...new Set(names)] : Object.keys(SUITES);
}

function readLatest(): LatestFile | undefined {
  try {
    return JSON.parse(readFileSync(LATEST, 'utf8')) as LatestFile;
  } catch {
    return undefined;
  }
}

function readmeSection(file: LatestFile, ordered: SuiteResult[]): string {
  const dates = [...new Set(ordered.map((r) => r.measuredAt.slice(0, 10)))].join(', ');
  const loads = ordered.map((r) => `${r.suite} ${r.loadBefore[0]?.toFixed(2)}`).join(', ');
  const notes = ordered.flatMap((r) => r.notes.map((note) => `- **${r.suite}**: ${note}`));
  return [
    `Measured ${dates} on ${describeMachine(file.machine)} (a machine shared with other jobs; 1-minute load average when each suite started: ${loads}).`,
    `Ratios are taken between figures measured side by side in the same run. Reproduce with \`npm run bench\` (or \`npm run bench -- ${Object.keys(SUITES).join(' ')}\`); raw figures are in \`bench/results/latest.json\`.`,
    '',
    markdownTable(ordered),
    '',
    ...notes,
  ].join('\n');
}

function writeOutputs(file: LatestFile): void {
  const ordered = Object.keys(SUITES).map((name) => file.suites[name]).filter((r): r is SuiteResult => r !== undefined);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(LATEST, `${JSON.stringify(file, null, 2)}\n`);
  const section = readmeSection(file, ordered);
  writeFileSync(TABLE_MD, `# Token Warden benchmarks\n\n${section}\n`);
  if (!existsSync(BENCH_PAGE)) {
    log('docs/benchmarks.md not found: the table is in bench/results/TABLE.md.');
    return;
  }
  const page = readFileSync(BENCH_PAGE, 'utf8');
  const start = page.indexOf(START_MARK);
  const end = page.indexOf(END_MARK);
  if (start === -1 || end < start) {
    log('docs/benchmarks.md has no bench markers: the table is in bench/results/TABLE.md.');
    return;
  }
  writeFileSync(BENCH_PAGE, `${page.slice(0, start + START_MARK.length)}\n${section}\n${page.slice(end)}`);
}

async function main(): Promise<void> {
  const names = chosenSuites(process.argv.slice(2));
  const machine = machineInfo();
  log(`Token Warden bench: ${names.join(', ')} on ${describeMachine(machine)}; load ${machine.loadAverage.join(' ')}`);
  const results: SuiteResult[] = [];
  for (const name of names) {
    const suite = await SUITES[name]!();
    log(`\n== ${name}: ${suite.describe}`);
    const measuredAt = new Date().toISOString();
    const loadBefore = round2(os.loadavg());
    const started = performance.now();
    const outcome = await suite.run({ log: (line) => log(`  ${line}`) });
    const result: SuiteResult = { suite: name, measuredAt, durationMs: Math.round(performance.now() - started), loadBefore, loadAfter: round2(os.loadavg()), ...outcome };
    if (result.skipped) log(`  skipped: ${result.skipped}`);
    log(`  done in ${(result.durationMs / 1000).toFixed(1)} s`);
    results.push(result);
  }
  const previous = readLatest();
  const file: LatestFile = { generatedAt: new Date().toISOString(), machine, suites: { ...(previous?.suites ?? {}) } };
  for (const result of results) file.suites[result.suite] = result;
  writeOutputs(file);
  process.stdout.write(`\n${textTable(results)}\n`);
  log(`\nWrote ${LATEST.replace(`${process.cwd()}/`, '')} and ${TABLE_MD.replace(`${process.cwd()}/`, '')}.`);
}

main().then(
  // Servers, kits and load generators are stopped by their suites; exit explicitly so a stray handle
  // (a keep-alive socket closing late) cannot keep the process alive after the table is out.
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof BenchCheckError) {
      log(`\nBENCH ABORTED — a correctness check failed, so no figure was recorded:\n  ${error.message}`);
    } else {
      log(`\nBENCH ABORTED — ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    process.exit(1);
  },
);
