/**
 * Trace reading as whole processes (`ecu-ai trace stats` against a python-can process on the same
 * 1.7M-frame files), the way the targets are judged; `trace-read` measured with MODE=process, kept as
 * its own bench so `npm run bench` records both sections.
 */
process.env['MODE'] = 'process';
await import('./trace-read.bench.js');
