/**
 * `ecu-ai cloud`: the cloud side in one process: N inference workers sharing one subscription and
 * the ingest of telemetry and snippets. Without --broker it starts the embedded broker.
 */
import path from 'node:path';
import { InferenceWorker, type WorkerStats } from '../cloud/inference-worker.js';
import { Ingest } from '../cloud/ingest.js';
import { OnnxModelRunner } from '../cloud/model-runner.js';
import { loadShippedModels } from '../cloud/shipped-models.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../runtime/cloud/link/embedded-broker.js';
import { intFlag, parseCliArgs } from './args.js';
import { EXIT_FAILURE, EXIT_OK, oneLine, UsageError, type CliCommand, type CliIo } from './command.js';

const HELP = `Usage: ecu-ai cloud [--broker URL] [--workers N] [--models DIR] [--data DIR] [--mqtt 4|5]
                    [--username U --password P] [--port N] [--max-packet-bytes N]

Runs the cloud side: inference workers on the shared subscription
$share/ecu-ai-workers/ecu-ai/v1/+/infer/request/+, and the ingest of telemetry, snippets and OTA
status into {data}/{vehicle}/{day}.{kind}.jsonl.

The workers serve the models of --models laid out as shipped: {dir}/{model}/manifest.json beside
its variant files, each verified as a vehicle verifies it (sha256, min_runtime, inputs and outputs).
A request for the cloud variant runs the fp32 file (int8 if fp32 was refused) of the model or of
the manifest's remote_model.
A folder with nothing to serve exits 2. On exit, prints the counts as JSON: served, failed
(the model threw; answered with the error), rejected (malformed), expired, misdirected, ingest.

  --broker URL     MQTT broker (mqtt://host:port); without it an embedded broker (MQTT 3.1.1
                   only, one worker) listens on 127.0.0.1:--port (default 1883); vehicles
                   connecting with MQTT 5 fall back to 3.1.1 there
  --workers N      inference workers (default 2)
  --models DIR     folder of model folders (default ./models)
  --data DIR       ingest folder (default ./cloud-data)
  --mqtt 4|5       protocol version (default 5; 4 with the embedded broker)
  --duration S     stop after S seconds (default: run until SIGINT/SIGTERM)
  --max-packet-bytes N
                   largest MQTT packet the workers, the ingest and the embedded broker take
                   (default: 1 MiB + 4 KiB for workers, 4 MiB + 4 KiB for ingest and the
                   embedded broker, from the largest request and data snippet); bigger ones are
                   dropped before they are buffered and counted as "oversize" (the embedded
                   broker disconnects their sender)

Example:
  ecu-ai cloud --broker mqtt://127.0.0.1:1883 --workers 4 --models models/ --data /var/lib/ecu-ai
`;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCliArgs(args, {
    broker: { type: 'string' },
    workers: { type: 'string' },
    models: { type: 'string' },
    data: { type: 'string' },
    mqtt: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
    port: { type: 'string' },
    duration: { type: 'string' },
    'max-packet-bytes': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const workers = intFlag('workers', values.workers, 2);
  if (workers < 1) throw new UsageError('--workers takes 1 or more');
  const maxPacket = values['max-packet-bytes'] === undefined ? undefined : intFlag('max-packet-bytes', values['max-packet-bytes'], 0);
  if (maxPacket !== undefined && !(maxPacket >= 16_384 && maxPacket <= 268_435_455)) throw new UsageError(`--max-packet-bytes takes 16384 to 268435455, not "${values['max-packet-bytes']}"`);
  const limit = maxPacket !== undefined ? { maxPacketBytes: maxPacket } : {};
  if (values.mqtt !== undefined && values.mqtt !== '4' && values.mqtt !== '5') throw new UsageError(`--mqtt takes 4 or 5, not "${values.mqtt}"`);
  if (values.broker !== undefined && !/^(mqtts?|tcp|tls):\/\/[^/]+/.test(values.broker)) throw new UsageError(`--broker takes mqtt://host:port, not "${values.broker}"`);
  if (values.broker === undefined && values.mqtt === '5') throw new UsageError('--mqtt 5 needs --broker: the embedded broker speaks MQTT 3.1.1 only');
  // Before any connection: a folder that serves nothing is the user's mistake to hear about first.
  const models = await loadShippedModels(path.resolve(io.cwd, values.models ?? 'models'));
  for (const r of models.refused) io.stderr.write(`not served: ${r.reason}\n`);
  io.stderr.write(`serving ${models.served.join(', ')}\n`);
  let embedded: EmbeddedBroker | undefined;
  if (values.broker === undefined) {
    embedded = await startEmbeddedBroker({ port: intFlag('port', values.port, 1883), host: '127.0.0.1', ...limit });
    io.stderr.write(`embedded broker (MQTT 3.1.1) on ${embedded.url}\n`);
  }
  const url = values.broker ?? (embedded as EmbeddedBroker).url;
  const protocolVersion: 4 | 5 = embedded ? 4 : values.mqtt === '4' ? 4 : 5;
  const creds = { ...(values.username !== undefined ? { username: values.username } : {}), ...(values.password !== undefined ? { password: values.password } : {}) };
  const runner = new OnnxModelRunner(models.resolve);
  const started: InferenceWorker[] = [];
  let ingest: Ingest;
  try {
    for (let i = 0; i < (embedded ? 1 : workers); i++) started.push(await InferenceWorker.start({ url, id: `w${i + 1}`, runner, protocolVersion, ...creds, ...limit }));
    ingest = await Ingest.start({ url, dataDir: path.resolve(io.cwd, values.data ?? 'cloud-data'), protocolVersion, ...creds, ...limit });
  } catch (err) {
    // One line for the operator (a supervisor restarts on the exit code), and nothing left running.
    io.stderr.write(`ecu-ai cloud: cannot connect to ${url}: ${oneLine(err)}\n`);
    for (const w of started) await w.stop().catch(() => undefined);
    await runner.close();
    await embedded?.close();
    return EXIT_FAILURE;
  }
  io.stderr.write(`${started.length} worker(s) and ingest connected to ${url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (values.duration !== undefined) setTimeout(stop, intFlag('duration', values.duration, 0) * 1000).unref();
  });
  for (const w of started) await w.stop();
  await ingest.stop();
  await runner.close();
  await embedded?.close();
  const total = (key: keyof WorkerStats): number => started.reduce((a, w) => a + w.stats[key], 0);
  const counts = { served: total('served'), failed: total('failed'), rejected: total('rejected'), expired: total('expired'), misdirected: total('misdirected'), oversize: total('oversize') };
  io.stdout.write(`${JSON.stringify({ ...counts, ingest: ingest.stats })}\n`);
  return EXIT_OK;
}

export const cloudCommand: CliCommand = { name: 'cloud', summary: 'run cloud inference workers and ingest over MQTT', help: HELP, run };
