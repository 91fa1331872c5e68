/**
 * What the vehicle reports, as records in the outbox: each gets a unique record ID (a UUID) so the
 * cloud can de-duplicate the redeliveries that at-least-once delivery allows.
 */
import { randomUUID } from 'node:crypto';
import { encodeDataSnippet, encodeTelemetry, encodeUpdateStatus, type DataSnippet, type Telemetry, type UpdateStatus } from '../../../wire/messages.js';
import type { Outbox } from '../outbox/outbox.js';

/** Default priorities: OTA state matters most, telemetry least (it is dropped first when full). */
export const REPORT_PRIORITY = { telemetry: 10, snippets: 50, updateStatus: 200 } as const;

export class VehicleReporter {
  readonly #outbox: Outbox;
  readonly #vehicleId: string;

  constructor(outbox: Outbox, vehicleId: string) {
    this.#outbox = outbox;
    this.#vehicleId = vehicleId;
  }

  /**
   * Queues telemetry; resolves with the record ID once it is on disk.
   * @throws {CloudError} OUTBOX_FULL when the outbox is full of more important records
   */
  async telemetry(t: Omit<Telemetry, 'recordId' | 'vehicleId'>, priority: number = REPORT_PRIORITY.telemetry): Promise<string> {
    const recordId = randomUUID();
    await this.#outbox.append({ kind: 'telemetry', priority, payload: encodeTelemetry({ ...t, recordId, vehicleId: this.#vehicleId }) });
    return recordId;
  }

  /**
   * Queues a data snippet; resolves with the record ID once it is on disk.
   * @throws {CloudError} OUTBOX_FULL when the outbox is full of more important records
   */
  async snippet(s: Omit<DataSnippet, 'recordId' | 'vehicleId'>, priority: number = REPORT_PRIORITY.snippets): Promise<string> {
    const recordId = randomUUID();
    await this.#outbox.append({ kind: 'snippets', priority, payload: encodeDataSnippet({ ...s, recordId, vehicleId: this.#vehicleId }) });
    return recordId;
  }

  /**
   * Queues an OTA update status; resolves with the record ID once it is on disk.
   * @throws {CloudError} OUTBOX_FULL when the outbox is full of more important records
   */
  async updateStatus(s: Omit<UpdateStatus, 'recordId' | 'vehicleId'>, priority: number = REPORT_PRIORITY.updateStatus): Promise<string> {
    const recordId = randomUUID();
    await this.#outbox.append({ kind: 'updateStatus', priority, payload: encodeUpdateStatus({ ...s, recordId, vehicleId: this.#vehicleId }) });
    return recordId;
  }
}
