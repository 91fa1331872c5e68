/**
 * Interop with python-can's `socketcand` client (the real peer) against our socketcand server on
 * 127.0.0.1: python-can sends through the server onto a virtual bus, and reads frames put there.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, makeFrame } from '../../../bus/frame.js';
import { serveSocketcand } from '../../../bus/transport/socketcand-server.js';
import { VirtualNetwork } from '../../../bus/transport/virtual.js';
import { pythonModulePeer } from '../../helpers/peers.js';
import { startPython } from './python-peer.js';
import { take } from './take.js';

const can = pythonModulePeer('can', 'python3-can');

describe.skipIf(!can.available)('socketcand interop with python-can', () => {
  it('carries frames both ways between a python-can socketcand client and a virtual bus', async () => {
    const network = new VirtualNetwork();
    const server = await serveSocketcand({ port: 0, open: (ch) => network.open(ch) });
    const ours = network.open('vcan7');
    const fromPython = take(ours.frames(), 3, 10_000);
    const script = `
import sys, can
bus = can.Bus(interface='socketcand', host='127.0.0.1', port=int(sys.argv[1]), channel='vcan7')
bus.send(can.Message(arbitration_id=0x123, data=[0x11, 0x22, 0x33], is_extended_id=False))
bus.send(can.Message(arbitration_id=0x7ff, data=[], is_extended_id=False))
bus.send(can.Message(arbitration_id=0x0, data=bytes(range(8)), is_extended_id=False))
print('ready', flush=True)
got = []
while len(got) < 2:
    m = bus.recv(5)
    if m is None: break
    got.append(m)
for m in got:
    print('rx %x %s %.6f' % (m.arbitration_id, m.data.hex(), m.timestamp), flush=True)
bus.shutdown()
`;
    const py = startPython(script, [String(server.port)], 15_000);
    const got = await fromPython;
    expect(got.map((f) => [f.id, bytesToHex(f.data)])).toEqual([
      [0x123, '112233'],
      [0x7ff, ''],
      [0, '0001020304050607'],
    ]);
    await py.ready;
    await ours.send(makeFrame({ id: 0x456, data: [0xca, 0xfe], timestamp: 1700000000.5 }));
    // python-can 4.1's reader mishandles two messages arriving in one TCP read; give each its own.
    await new Promise((r) => setTimeout(r, 100));
    await ours.send(makeFrame({ id: 0x10, data: [1, 2, 3, 4, 5, 6, 7, 8], timestamp: 3.000001 }));
    const out = await py.done;
    expect(out).toContain('rx 456 cafe 1700000000.500000');
    expect(out).toContain('rx 10 0102030405060708 3.000001');
    await ours.close();
    await server.close();
  });
});
