/** A small vehicle service used by the endpoint and server/client tests. */
import type { ServiceInterface } from '../../../bus/someip/service.js';

export const CLIMATE: ServiceInterface = {
  serviceId: 0x1234,
  instanceId: 1,
  majorVersion: 2,
  minorVersion: 0,
  methods: {
    add: { id: 0x0001, request: { type: 'struct', fields: [{ name: 'a', type: { type: 'int32' } }, { name: 'b', type: { type: 'int32' } }] }, response: { type: 'int32' } },
    fail: { id: 0x0002 },
    log: { id: 0x0003, request: { type: 'string' }, fireAndForget: true },
    echo: { id: 0x0004, request: { type: 'array', element: { type: 'uint8' } }, response: { type: 'array', element: { type: 'uint8' } } },
  },
  events: { cabinTemp: { id: 0x8001, eventgroups: [0x10], payload: { type: 'float32' } } },
  fields: { setpoint: { payload: { type: 'uint8' }, getterId: 0x0010, setterId: 0x0011, notifierId: 0x8002, eventgroups: [0x10] } },
};
