#!/usr/bin/env node
/**
 * Removes from an installed onnxruntime-node the native binaries of every platform but one (by
 * default this machine's). The package ships all of them (288 MiB; Linux x64 alone is 45 MiB) and
 * loads only bin/napi-v6/PLATFORM/ARCH/, so a vehicle needs its own folder and nothing else.
 * npm puts the others back on the next `npm install` or `npm ci`: prune again after each install.
 *
 * Usage: node prune-onnxruntime.mjs [--keep PLATFORM/ARCH] [--dry-run] [ONNXRUNTIME_NODE_DIR]
 * Exit codes: 0 pruned (or nothing left to prune), 1 a removal failed, 2 bad usage or a folder that
 * is not an onnxruntime-node holding the binaries to keep.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const USAGE = 'Usage: node prune-onnxruntime.mjs [--keep PLATFORM/ARCH] [--dry-run] [ONNXRUNTIME_NODE_DIR]\n';
const BINDING = 'onnxruntime_binding.node';

class UsageError extends Error {}

function parseArgs(argv) {
  const options = { keep: `${process.platform}/${process.arch}`, dryRun: false, dir: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--keep') {
      const value = argv[++i];
      if (value === undefined || !/^[a-z0-9]+\/[a-z0-9]+$/.test(value)) throw new UsageError('--keep needs PLATFORM/ARCH, e.g. linux/arm64');
      options.keep = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (options.dir === undefined) options.dir = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  return options;
}

/** The onnxruntime-node that the runtime beside this script would load. */
function installedDir() {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  } catch {
    throw new UsageError('onnxruntime-node is not installed where this script can see it: name its folder');
  }
}

function checkPackage(dir, keep) {
  const manifest = path.join(dir, 'package.json');
  let name;
  try {
    name = JSON.parse(readFileSync(manifest, 'utf8')).name;
  } catch (err) {
    throw new UsageError(`${manifest}: cannot read an onnxruntime-node package.json: ${err.message}`);
  }
  if (name !== 'onnxruntime-node') throw new UsageError(`${manifest}: this is ${JSON.stringify(name)}, not onnxruntime-node`);
  const kept = path.join(dir, 'bin', 'napi-v6', keep, BINDING);
  // Pruning a tree without the binaries to keep would leave no runtime at all.
  if (!existsSync(kept)) throw new UsageError(`${kept} is missing: this onnxruntime-node has no ${keep} binaries to keep`);
}

function sizeOf(target) {
  const stat = lstatSync(target);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(target)) total += sizeOf(path.join(target, entry));
  return total;
}

/** PLATFORM/ARCH folders other than the one to keep. */
function foreignBinaries(binRoot, keep) {
  const found = [];
  for (const platform of readdirSync(binRoot)) {
    const platformDir = path.join(binRoot, platform);
    if (!lstatSync(platformDir).isDirectory()) continue;
    for (const arch of readdirSync(platformDir)) {
      if (`${platform}/${arch}` !== keep) found.push(`${platform}/${arch}`);
    }
  }
  return found.sort();
}

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function prune(options) {
  const dir = path.resolve(options.dir ?? installedDir());
  checkPackage(dir, options.keep);
  const binRoot = path.join(dir, 'bin', 'napi-v6');
  const before = sizeOf(dir);
  const foreign = foreignBinaries(binRoot, options.keep);
  if (foreign.length === 0) {
    process.stdout.write(`onnxruntime-node at ${dir}: only ${options.keep} is left, ${mib(before)}; nothing to prune\n`);
    return;
  }
  if (options.dryRun) {
    const freed = foreign.reduce((sum, rel) => sum + sizeOf(path.join(binRoot, rel)), 0);
    process.stdout.write(`onnxruntime-node at ${dir}: would keep ${options.keep} and remove ${foreign.join(', ')}: ${mib(before)} -> ${mib(before - freed)}\n`);
    return;
  }
  for (const rel of foreign) rmSync(path.join(binRoot, rel), { recursive: true, force: true });
  for (const platform of readdirSync(binRoot)) {
    const platformDir = path.join(binRoot, platform);
    if (lstatSync(platformDir).isDirectory() && readdirSync(platformDir).length === 0) rmSync(platformDir, { recursive: true });
  }
  process.stdout.write(`onnxruntime-node at ${dir}: kept ${options.keep}, removed ${foreign.join(', ')}: ${mib(before)} -> ${mib(sizeOf(dir))}\n`);
}

try {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) process.stdout.write(USAGE);
  else prune(options);
} catch (err) {
  const usage = err instanceof UsageError;
  process.stderr.write(`prune-onnxruntime: ${err.message}\n${usage ? USAGE : ''}`);
  process.exitCode = usage ? 2 : 1;
}
