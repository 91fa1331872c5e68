/** Interop with python-can's `udp_multicast` interface (the real peer), on this host only (hop limit 0). */
import { describe, expect, it } from 'vitest';
import { bytesToHex, makeFrame } from '../../../bus/frame.js';
import { UdpBus } from '../../../bus/transport/udp.js';
import { encodeUdpFrame } from '../../../bus/transport/udp-codec.js';
import { pythonModulePeer, runPython } from '../../helpers/peers.js';
import { startPython } from './python-peer.js';
import { take } from './take.js';

const can = pythonModulePeer('can', 'python3-can');
const msgpack = pythonModulePeer('msgpack', 'python3-msgpack');

const FRAMES = [
  makeFrame({ id: 0x123, data: [0xde, 0xad, 0xbe, 0xef], channel: 'can0', timestamp: 1.5 }),
  makeFrame({ id: 0x18daf110, extended: true, data: [1, 2, 3, 4, 5, 6, 7, 8], channel: 'vcan1', timestamp: 1700000000.123456 }),
  makeFrame({ id: 0x7ff, fd: true, brs: true, data: Array.from({ length: 48 }, (_, i) => i * 5), channel: 'fd', timestamp: 0 }),
  makeFrame({ id: 0x10, rtr: true, dlc: 4, channel: 'can0', timestamp: 2 }),
];

const toPython = `
import sys, json, can
from can.interfaces.udp_multicast.utils import pack_message
for line in sys.stdin:
    f = json.loads(line)
    m = can.Message(timestamp=float(f['t']), arbitration_id=f['id'], is_extended_id=f['ext'], is_remote_frame=f['rtr'],
                    channel=f['ch'], dlc=f['len'], data=bytes.fromhex(f['data']), is_fd=f['fd'], bitrate_switch=f['brs'])
    print(pack_message(m).hex())
`;

describe.skipIf(!can.available || !msgpack.available)('UDP interop with python-can udp_multicast', () => {
  it('encodes frames byte for byte as python-can packs them', () => {
    const input = FRAMES.map((f) =>
      JSON.stringify({ t: f.timestamp, id: f.id, ext: f.extended, rtr: f.rtr, ch: f.channel, len: f.rtr ? f.dlc : f.data.length, data: bytesToHex(f.data), fd: f.fd, brs: f.brs }),
    ).join('\n');
    const python = runPython(toPython, [], input).trim().split('\n');
    expect(FRAMES.map((f) => bytesToHex(encodeUdpFrame(f)))).toEqual(python);
  });

  it('receives what a python-can udp_multicast bus sends, and python-can receives what we send', async () => {
    const group = `239.74.163.${2 + Math.floor(Math.random() * 200)}`;
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    const ours = await UdpBus.open({ host: group, port, hopLimit: 0 });
    const script = `
import sys, can
bus = can.Bus(interface='udp_multicast', channel=sys.argv[1], port=int(sys.argv[2]), hop_limit=0)
print('ready', flush=True)
got = []
while len(got) < 2:
    m = bus.recv(5)
    if m is None: break
    got.append(m)
for m in got:
    print('rx %x %d %s %s %s' % (m.arbitration_id, m.is_extended_id, m.is_fd, m.data.hex(), m.channel), flush=True)
bus.send(can.Message(arbitration_id=0x321, data=[9, 8, 7], is_extended_id=False, channel='py0'))
bus.send(can.Message(arbitration_id=0x1abcde, data=bytes(range(12)), is_fd=True, bitrate_switch=True))
bus.shutdown()
`;
    const py = startPython(script, [group, String(port)], 15_000);
    await py.ready;
    const fromPython = take(ours.frames(), 2, 10_000);
    await ours.send(makeFrame({ id: 0x111, data: [1, 2], channel: 'ts0' }));
    await ours.send(makeFrame({ id: 0x1f000001, extended: true, fd: true, data: new Uint8Array(64).fill(0xab) }));
    const out = await py.done;
    expect(out).toContain('rx 111 0 False 0102 ts0');
    expect(out).toContain(`rx 1f000001 1 True ${'ab'.repeat(64)} can0`);
    const got = await fromPython;
    expect(got.map((f) => [f.id, f.extended, f.fd, f.brs, bytesToHex(f.data), f.channel])).toEqual([
      [0x321, false, false, false, '090807', 'py0'],
      [0x1abcde, true, true, true, bytesToHex(Uint8Array.from({ length: 12 }, (_, i) => i)), group],
    ]);
    await ours.close();
  });
});
