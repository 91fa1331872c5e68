import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCloud } from '../../cli/cloud-setup.js';
import { DOMAIN_LIST } from '../../domains/index.js';
import { parseConfig } from '../../runtime/config.js';
import { resolveDomains } from '../../runtime/service/resolved.js';
import { createLogger } from '../../runtime/observe/index.js';
import { freePort } from '../helpers/mosquitto.js';
import { repoRoot } from '../helpers/shared-data.js';

describe("a replay's cloud", () => {
  it('says the broker is unreachable, and the comfort services then stay on the vehicle', async () => {
    const url = `mqtt://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => lines.push(line) } as never });
    const cloud = await startCloud({ brokerUrl: url, modelsDir: path.join(repoRoot, 'models'), vehicleId: 'nobroker', domains: resolveDomains(DOMAIN_LIST, parseConfig({}, DOMAIN_LIST)), logger });
    try {
      expect(cloud.cloud.healthy()).toBe(false);
      const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'cloud unreachable; comfort services stay on the vehicle');
      expect(warning).toMatchObject({ level: 40, broker: url, err: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      await cloud.close();
    }
  }, 20_000);
});
