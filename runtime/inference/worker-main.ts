/**
 * Entry of a domain's inference worker, as a child process (`fork`) or a worker thread: the same
 * compiled file serves both, wiring {@link WorkerCore} to whichever channel it was started with.
 */
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol.js';
import { WorkerCore } from './worker-core.js';

if (parentPort !== null) {
  const port = parentPort;
  const core = new WorkerCore({
    send: (m: FromWorker) => port.postMessage(m),
    exit: (code) => process.exit(code),
  });
  port.on('message', (m: ToWorker) => core.handle(m));
} else if (process.send !== undefined) {
  const core = new WorkerCore({
    send: (m: FromWorker) => process.send?.(m),
    exit: (code) => process.exit(code),
  });
  process.on('message', (m: ToWorker) => core.handle(m));
  // The parent gone means nobody will ever ask again; do not linger as an orphan holding a model.
  process.on('disconnect', () => process.exit(0));
} else {
  process.stderr.write('worker-main: start me through the inference supervisor (fork or worker thread)\n');
  process.exitCode = 2;
}
