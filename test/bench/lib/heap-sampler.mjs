// Preloaded (`node --import`) into a process whose allocations are to be profiled: the first SIGUSR2 starts
// V8's sampling heap profiler with collected objects kept in the samples (so it counts what was allocated,
// not what is still live), the second stops it and writes the profile to $HEAP_SAMPLE_OUT. Plain JS: it
// runs before tsx is registered. Used by test/bench/heap-profile.ts.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.HEAP_SAMPLE_OUT;
const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    const options = {
      samplingInterval: Number(process.env.HEAP_SAMPLE_INTERVAL ?? 512),
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    };
    session.post('HeapProfiler.startSampling', options, (err) => err && console.error('heap sampler:', err));
    return;
  }
  sampling = false;
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) return console.error('heap sampler:', err);
    writeFileSync(out, JSON.stringify(result.profile));
    console.error(`heap sampler: wrote ${out}`);
  });
});
