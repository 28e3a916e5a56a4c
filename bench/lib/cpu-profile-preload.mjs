/**
 * `node --import` preload for servers the bench cannot start with `--cpu-prof` (Node refuses it in NODE_OPTIONS,
 * and the cluster's instances are started by test/helpers/cluster.ts): with TW_BENCH_PROFILE_DIR set, profiles
 * the process from here on with the inspector and writes DIR/<pid>.cpuprofile (Chrome DevTools) when it exits.
 * The in-process session answers synchronously, so the profile is written inside the 'exit' handler.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import process from 'node:process';

const dir = process.env.TW_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
