/** The errors the wire's two sides throw are the runtime's own classes, whichever path imports them. */
import { describe, expect, it } from 'vitest';
import * as runtimeErrors from '../../runtime/errors.js';
import * as wireErrors from '../../wire/errors.js';

describe('wire errors', () => {
  it('are the classes runtime/errors.ts exports, so instanceof holds across both sides', () => {
    expect(runtimeErrors.CloudError).toBe(wireErrors.CloudError);
    expect(runtimeErrors.ModelLoadError).toBe(wireErrors.ModelLoadError);
    expect(runtimeErrors.RuntimeError).toBe(wireErrors.RuntimeError);
    const thrown = new wireErrors.CloudError('CLOUD_PAYLOAD', 'ecu-ai/v1/v1/telemetry Telemetry', 'bad bytes at offset 3');
    expect(thrown).toBeInstanceOf(runtimeErrors.RuntimeError);
    expect(thrown.code).toBe('CLOUD_PAYLOAD');
    expect(thrown.name).toBe('CloudError');
    expect(new runtimeErrors.ConfigInvalidError('x.yaml', [])).toBeInstanceOf(wireErrors.RuntimeError);
  });
});
