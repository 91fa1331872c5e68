import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CloudError } from '../../runtime/errors.js';
import { cloudType } from '../../wire/schemas.js';
import {
  MAX_RECEIPT_IDS,
  decodeDataSnippet,
  decodeDeliveryReceipt,
  decodeInferenceRequest,
  decodeInferenceResponse,
  decodeModelCampaign,
  decodeTelemetry,
  decodeUpdateStatus,
  encodeDataSnippet,
  encodeDeliveryReceipt,
  encodeInferenceRequest,
  encodeInferenceResponse,
  encodeModelCampaign,
  encodeTelemetry,
  encodeUpdateStatus,
  type InferenceRequest,
} from '../../wire/messages.js';

const request: InferenceRequest = {
  vehicleId: 'VIN123',
  domain: 'cockpit',
  model: 'drowsiness',
  variant: 'fp32',
  inputs: [{ name: 'x', dims: [1, 3], data: Float32Array.from([0.5, -1.25, 2]) }],
  deadlineUnixMs: 1_700_000_000_123,
  deadlineMs: 50,
  correlation: Uint8Array.from([1, 2, 3, 4]),
  replyTo: 'ecu-ai/v1/VIN123/infer/response',
  sentUnixMs: 1_700_000_000_073,
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof CloudError ? err.code : `not a CloudError: ${String(err)}`;
  }
}

describe('cloud message codecs', () => {
  it('round-trips an inference request with its tensors', () => {
    const back = decodeInferenceRequest(encodeInferenceRequest(request));
    expect(back.domain).toBe('cockpit');
    expect(Array.from(back.inputs[0]?.data ?? [])).toEqual([0.5, -1.25, 2]);
    expect(back.inputs[0]?.dims).toEqual([1, 3]);
    expect(Array.from(back.correlation)).toEqual([1, 2, 3, 4]);
    expect(back.deadlineUnixMs).toBe(request.deadlineUnixMs);
  });

  it('round-trips a response, telemetry, a snippet, a campaign and an update status', () => {
    const resp = decodeInferenceResponse(
      encodeInferenceResponse({ correlation: Uint8Array.of(9), model: 'm', variant: 'fp32', outputs: [{ name: 'y', dims: [1], data: Float32Array.of(0.25) }], error: '', worker: 'w1', computeMs: 1.5 }),
    );
    expect(resp.outputs[0]?.data[0]).toBe(0.25);
    const tel = decodeTelemetry(encodeTelemetry({ recordId: 'r-1', vehicleId: 'VIN123', tUnixMs: 5, values: { speed: 12.5, soc: 80 }, source: 'body' }));
    expect(tel.values).toEqual({ speed: 12.5, soc: 80 });
    const snip = decodeDataSnippet(
      encodeDataSnippet({
        recordId: 's-1', vehicleId: 'VIN123', trigger: 'hard-brake', tUnixMs: 7, preS: 2, postS: 1,
        frames: [{ t: 0.5, channel: 'can0', id: 0x123, extended: false, fd: false, data: Uint8Array.of(1, 2) }],
        signals: [{ t: 0.5, name: 'speed', value: 3 }],
      }),
    );
    expect(snip.frames[0]?.id).toBe(0x123);
    expect(Array.from(snip.frames[0]?.data ?? [])).toEqual([1, 2]);
    const camp = decodeModelCampaign(
      encodeModelCampaign({ campaignId: 'c1', domain: 'body', model: 'comfort', version: '1.2.0', packageUrl: 'https://x/p.tar', sha256: new Uint8Array(32).fill(7), signature: Uint8Array.of(1), rollout: 'all', issuedUnixMs: 9 }),
    );
    expect(camp.version).toBe('1.2.0');
    const st = decodeUpdateStatus(encodeUpdateStatus({ recordId: 'u1', vehicleId: 'VIN123', campaignId: 'c1', state: 'promoted', detail: '', tUnixMs: 10 }));
    expect(st.state).toBe('promoted');
  });

  it('rejects a payload of another schema version', () => {
    const type = cloudType('Telemetry');
    const v2 = type.encode(type.create({ schemaVersion: 2, recordId: 'r', vehicleId: 'v', tUnixMs: 1 })).finish();
    const v0 = type.encode(type.create({ recordId: 'r', vehicleId: 'v', tUnixMs: 1 })).finish();
    expect(() => decodeTelemetry(v2)).toThrow(/schema_version 2 is not supported/);
    expect(codeOf(() => decodeTelemetry(v0))).toBe('CLOUD_PAYLOAD');
  });

  it('rejects an oversized payload before decoding it and names the source', () => {
    const big = new Uint8Array(70_000);
    expect(() => decodeTelemetry(big, { source: 'ecu-ai/v1/V/telemetry' })).toThrow(/ecu-ai\/v1\/V\/telemetry \(Telemetry\): 70000 bytes, more than the 65536-byte limit/);
  });

  it('rejects a tensor whose dims do not match its data, on both sides', () => {
    const bad = { ...request, inputs: [{ name: 'x', dims: [2, 3], data: Float32Array.of(1) }] };
    expect(codeOf(() => encodeInferenceRequest(bad))).toBe('CLOUD_PAYLOAD');
    const type = cloudType('InferenceRequest');
    const wire = type.encode(type.create({ ...request, schemaVersion: 1, inputs: [{ name: 'x', dims: [2, 3], data: [1] }] })).finish();
    expect(() => decodeInferenceRequest(wire)).toThrow(/dims \[2,3\] \(6 values\) but 1 values/);
  });

  it('rejects a vehicle id that could escape its topic or folder', () => {
    const type = cloudType('Telemetry');
    const wire = type.encode(type.create({ schemaVersion: 1, recordId: 'r', vehicleId: '../etc', tUnixMs: 1 })).finish();
    expect(() => decodeTelemetry(wire)).toThrow(/vehicleId/);
  });

  it('round-trips a delivery receipt and refuses a record id that is not an identifier, or too many', () => {
    const r = { vehicleId: 'VIN123', recordIds: ['2b1f0c2e-7a4d-4e3a-9c1e-0f5d6a7b8c9d', 'r-2'] };
    expect(decodeDeliveryReceipt(encodeDeliveryReceipt(r))).toEqual(r);
    expect(decodeDeliveryReceipt(encodeDeliveryReceipt({ vehicleId: 'V', recordIds: [] })).recordIds).toEqual([]);
    expect(() => decodeDeliveryReceipt(encodeDeliveryReceipt({ vehicleId: 'V', recordIds: ['ok', 'a/b'] }), { source: 'ecu-ai/v1/V/receipts' })).toThrow(
      /ecu-ai\/v1\/V\/receipts \(DeliveryReceipt\) recordIds\[1\].*"a\/b" is not an identifier/,
    );
    const many = Array.from({ length: MAX_RECEIPT_IDS + 1 }, (_, i) => `r${i}`);
    expect(() => decodeDeliveryReceipt(encodeDeliveryReceipt({ vehicleId: 'V', recordIds: many }))).toThrow(/513 entries, more than 512/);
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/).filter((x) => x !== '.' && x !== '..'), { maxLength: 40 }), (ids) => {
        expect(decodeDeliveryReceipt(encodeDeliveryReceipt({ vehicleId: 'V', recordIds: ids })).recordIds).toEqual(ids);
      }),
    );
  });

  it('names the byte offset of a wire-format error', () => {
    expect(() => decodeTelemetry(Uint8Array.of(0x08, 0x01, 0x0f))).toThrow(/offset/);
  });

  it('turns random bytes into a valid message or a CLOUD_PAYLOAD error, never anything else', () => {
    const decoders = [decodeInferenceRequest, decodeInferenceResponse, decodeTelemetry, decodeDataSnippet, decodeModelCampaign, decodeUpdateStatus, decodeDeliveryReceipt];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: decoders.length - 1 }), (bytes, which) => {
        const code = codeOf(() => decoders[which]?.(bytes));
        expect(code === undefined || code === 'CLOUD_PAYLOAD').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('turns mutated valid requests into a valid message or a CLOUD_PAYLOAD error', () => {
    const valid = encodeInferenceRequest(request);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(valid.length), (edits, cut) => {
        const bytes = Uint8Array.from(valid);
        for (const [i, v] of edits) bytes[i] = v;
        const code = codeOf(() => decodeInferenceRequest(bytes.subarray(0, cut)));
        expect(code === undefined || code === 'CLOUD_PAYLOAD').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
