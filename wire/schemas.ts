/**
 * The wire schemas between vehicle and cloud, as .proto text. The text is embedded here rather than
 * loaded from a file so the same module works from the sources (vitest) and from dist/ (compiled),
 * where no .proto file is copied.
 *
 * Every message carries `schema_version`; a receiver accepts only the versions it knows.
 * Times are `double` milliseconds since the Unix epoch so they decode as plain numbers (no Long).
 */
import protobuf from 'protobufjs';

/** The one schema version this build reads and writes. */
export const SCHEMA_VERSION = 1;

export const CLOUD_PROTO = `
syntax = "proto3";
package ecuai.cloud.v1;

message Tensor {
  string name = 1;
  repeated uint32 dims = 2;
  repeated float data = 3;
}

message InferenceRequest {
  uint32 schema_version = 1;
  string vehicle_id = 2;
  string domain = 3;
  string model = 4;
  string variant = 5;
  repeated Tensor inputs = 6;
  double deadline_unix_ms = 7;
  uint32 deadline_ms = 8;
  bytes correlation = 9;
  string reply_to = 10;
  double sent_unix_ms = 11;
}

message InferenceResponse {
  uint32 schema_version = 1;
  bytes correlation = 2;
  string model = 3;
  string variant = 4;
  repeated Tensor outputs = 5;
  string error = 6;
  string worker = 7;
  double compute_ms = 8;
}

message Telemetry {
  uint32 schema_version = 1;
  string record_id = 2;
  string vehicle_id = 3;
  double t_unix_ms = 4;
  map<string, double> values = 5;
  string source = 6;
}

message Frame {
  double t = 1;
  string channel = 2;
  uint32 id = 3;
  bool extended = 4;
  bool fd = 5;
  bytes data = 6;
}

message SignalSample {
  double t = 1;
  string name = 2;
  double value = 3;
}

message DataSnippet {
  uint32 schema_version = 1;
  string record_id = 2;
  string vehicle_id = 3;
  string trigger = 4;
  double t_unix_ms = 5;
  double pre_s = 6;
  double post_s = 7;
  repeated Frame frames = 8;
  repeated SignalSample signals = 9;
  // Added within schema version 1: readers that predate them skip them as unknown fields.
  string domain = 10;
  string result_json = 11;
  string detail = 12;
  bool truncated = 13;
}

message ModelCampaign {
  uint32 schema_version = 1;
  string campaign_id = 2;
  string domain = 3;
  string model = 4;
  string version = 5;
  string package_url = 6;
  bytes sha256 = 7;
  bytes signature = 8;
  string rollout = 9;
  double issued_unix_ms = 10;
}

message UpdateStatus {
  uint32 schema_version = 1;
  string record_id = 2;
  string vehicle_id = 3;
  string campaign_id = 4;
  string state = 5;
  string detail = 6;
  double t_unix_ms = 7;
}

message DeliveryReceipt {
  uint32 schema_version = 1;
  string vehicle_id = 2;
  repeated string record_ids = 3;
}
`;

let root: protobuf.Root | undefined;

/** The parsed schema root, built once on first use (never at import time). */
export function cloudProtoRoot(): protobuf.Root {
  root ??= protobuf.parse(CLOUD_PROTO).root;
  return root;
}

/** The names of the top-level messages exchanged over MQTT. */
export type CloudMessageName = 'InferenceRequest' | 'InferenceResponse' | 'Telemetry' | 'DataSnippet' | 'ModelCampaign' | 'UpdateStatus' | 'DeliveryReceipt';

/** Looks up one message type. */
export function cloudType(name: CloudMessageName): protobuf.Type {
  return cloudProtoRoot().lookupType(`ecuai.cloud.v1.${name}`);
}
