/**
 * The MQTT topic layout, one place for both sides. Everything of a vehicle lives under
 * `ecu-ai/v1/{vehicleId}/`, so a broker ACL `pattern readwrite ecu-ai/v1/%u/#` confines a vehicle
 * (logged in as its id) to its own subtree.
 *
 * ```
 * ecu-ai/v1/{vehicleId}/infer/request/{domain}   vehicle -> workers   InferenceRequest (QoS 1)
 * ecu-ai/v1/{vehicleId}/infer/response           worker  -> vehicle   InferenceResponse (QoS 1)
 * ecu-ai/v1/{vehicleId}/telemetry                vehicle -> ingest    Telemetry (QoS 1, from the outbox)
 * ecu-ai/v1/{vehicleId}/snippets                 vehicle -> ingest    DataSnippet (QoS 1, from the outbox)
 * ecu-ai/v1/{vehicleId}/ota/campaign             cloud   -> vehicle   ModelCampaign (QoS 1, retained)
 * ecu-ai/v1/{vehicleId}/ota/status               vehicle -> cloud     UpdateStatus (QoS 1, from the outbox)
 * ecu-ai/v1/{vehicleId}/status                   vehicle (LWT)        "online" / "offline" (retained)
 * ```
 */
import { CloudError } from './errors.js';

export const TOPIC_ROOT = 'ecu-ai/v1';
/** The share group of the inference workers: N workers split the requests between them. */
export const WORKER_SHARE_GROUP = 'ecu-ai-workers';
export const INGEST_SHARE_GROUP = 'ecu-ai-ingest';

const VEHICLE_ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Whether a vehicle id or domain can stand as one topic level (and as one folder name). */
export function isTopicLevel(value: string): boolean {
  return VEHICLE_ID_RE.test(value) && value !== '.' && value !== '..';
}

/**
 * Checks a vehicle id or domain can stand as one topic level.
 * @throws {CloudError} CLOUD_PAYLOAD when it holds a topic separator, wildcard or is empty
 */
export function checkTopicLevel(kind: string, value: string): string {
  if (!isTopicLevel(value)) {
    throw new CloudError('CLOUD_PAYLOAD', `${kind} "${value}"`, 'must be 1 to 64 of [A-Za-z0-9_.:-] (no /, +, #)');
  }
  return value;
}

/** Topics of one vehicle. */
export interface VehicleTopics {
  readonly base: string;
  request(domain: string): string;
  readonly response: string;
  readonly telemetry: string;
  readonly snippets: string;
  readonly campaign: string;
  readonly updateStatus: string;
  readonly status: string;
  /** Ingest's delivery receipts for the vehicle's records. */
  readonly receipts: string;
}

/**
 * The topics of one vehicle.
 * @throws {CloudError} CLOUD_PAYLOAD when the vehicle id cannot be a topic level
 */
export function vehicleTopics(vehicleId: string): VehicleTopics {
  const base = `${TOPIC_ROOT}/${checkTopicLevel('vehicle id', vehicleId)}`;
  return {
    base,
    request: (domain: string) => `${base}/infer/request/${checkTopicLevel('domain', domain)}`,
    response: `${base}/infer/response`,
    telemetry: `${base}/telemetry`,
    snippets: `${base}/snippets`,
    campaign: `${base}/ota/campaign`,
    updateStatus: `${base}/ota/status`,
    status: `${base}/status`,
    receipts: `${base}/receipts`,
  };
}

/** The filter the workers subscribe to; with `shared`, an MQTT 5 shared subscription. */
export function workerRequestFilter(shared: boolean): string {
  const filter = `${TOPIC_ROOT}/+/infer/request/+`;
  return shared ? `$share/${WORKER_SHARE_GROUP}/${filter}` : filter;
}

/** The filters the ingest subscribes to. */
export function ingestFilters(shared: boolean): string[] {
  const filters = [`${TOPIC_ROOT}/+/telemetry`, `${TOPIC_ROOT}/+/snippets`, `${TOPIC_ROOT}/+/ota/status`];
  return shared ? filters.map((f) => `$share/${INGEST_SHARE_GROUP}/${f}`) : filters;
}

export type VehicleTopicKind = 'request' | 'response' | 'telemetry' | 'snippets' | 'campaign' | 'updateStatus' | 'status' | 'receipts';

/** Splits a received topic into vehicle id and kind; undefined for topics outside the layout. */
export function parseVehicleTopic(topic: string): { vehicleId: string; kind: VehicleTopicKind; domain?: string } | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'ecu-ai' || parts[1] !== 'v1' || parts.length < 4) return undefined;
  const vehicleId = parts[2] ?? '';
  // The same rule as for sending: "." and ".." would name folders, not vehicles, in ingest's files.
  if (!isTopicLevel(vehicleId)) return undefined;
  const rest = parts.slice(3).join('/');
  if (parts[3] === 'infer' && parts[4] === 'request' && parts.length === 6) return { vehicleId, kind: 'request', domain: parts[5] ?? '' };
  const kinds: Record<string, VehicleTopicKind> = {
    'infer/response': 'response',
    telemetry: 'telemetry',
    snippets: 'snippets',
    'ota/campaign': 'campaign',
    'ota/status': 'updateStatus',
    status: 'status',
    receipts: 'receipts',
  };
  const kind = kinds[rest];
  return kind ? { vehicleId, kind } : undefined;
}
