// Preloaded into each service (NODE_OPTIONS=--require) when BENCH_CPU_PROF=<dir> is set:
// records a V8 CPU profile and writes <dir>/<pid>.cpuprofile when the process exits.
// (Node refuses --cpu-prof in NODE_OPTIONS.)
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    // A same-thread session answers synchronously, so this works in an exit handler.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
