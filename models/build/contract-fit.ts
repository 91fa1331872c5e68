/**
 * Whether a model file fits the domain that is to run it, checked on the file itself before the
 * minutes of simulation `models eval` and `models quantize` spend: its declared boundary, then one
 * run on a zero row (a dynamic output shape is only known once the model ran).
 */
import type { DomainDefinition } from '../../runtime/service/domain.js';
import { checkOutputLength, checkTensorContract, type ModelIo, type TensorContract } from '../../runtime/inference/index.js';
import { openVectorSession } from './ort.js';

/** What the domain feeds its model and reads from it. */
export function contractOf(def: DomainDefinition): TensorContract {
  const outputs = def.modelContract?.outputs.length;
  return { domain: def.domain, featureSize: def.featureSize, ...(outputs === undefined ? {} : { outputSize: outputs }) };
}

/**
 * @param file names the model file in errors
 * @throws {ModelLoadError} `MODEL_MISMATCH` naming the file, the shape it has and the shape that fits
 */
export async function checkFits(def: DomainDefinition, file: string, bytes: Uint8Array, io: ModelIo): Promise<void> {
  const contract = contractOf(def);
  checkTensorContract(file, contract, io);
  const s = await openVectorSession(bytes, def.featureSize);
  try {
    checkOutputLength(file, contract, s.outputName, (await s.run(new Float32Array(def.featureSize))).length);
  } finally {
    await s.release();
  }
}
