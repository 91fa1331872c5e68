/**
 * A classic pcap writer (linktype 1, Ethernet) that wraps SOME/IP datagrams in synthetic Ethernet,
 * IPv4 and UDP (or TCP) headers, so a capture of ecu-ai's own traffic can be opened in Wireshark
 * or decoded by tshark without root capture rights. Pure: it builds bytes, the caller writes them.
 *
 * Lengths are exact; the IPv4 header checksum is computed; UDP checksums are 0 ("none"), TCP
 * checksums are left 0 (dissectors do not verify them by default).
 */
import { SomeipSerializeError } from './errors.js';

export interface PcapAddress {
  readonly address: string;
  readonly port: number;
}

export interface PcapPacket {
  /** Capture time in seconds. */
  readonly t: number;
  readonly src: PcapAddress;
  readonly dst: PcapAddress;
  readonly payload: Uint8Array;
}

const LINKTYPE_ETHERNET = 1;
const ETH_HEADER = 14;
const IPV4_HEADER = 20;
const UDP_HEADER = 8;
const TCP_HEADER = 20;

function ipv4(address: string): number[] {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new SomeipSerializeError('pcap.address', `${JSON.stringify(address)} is not a dotted IPv4 address`);
  }
  return parts;
}

/** Builds a pcap file in memory, one packet per `add*` call. */
export class PcapWriter {
  readonly #records: Uint8Array[] = [];
  readonly #tcpSeq = new Map<string, number>();
  #ipId = 0;

  /** Packets added so far. */
  get count(): number {
    return this.#records.length;
  }

  /**
   * Adds one UDP datagram.
   * @throws {SomeipSerializeError} on an address that is not dotted IPv4 or a datagram over 65507 bytes.
   */
  addUdp(p: PcapPacket): void {
    if (p.payload.length > 65507) throw new SomeipSerializeError('pcap.payload', `${p.payload.length} bytes exceed a UDP datagram`);
    const l4 = new Uint8Array(UDP_HEADER + p.payload.length);
    const v = new DataView(l4.buffer);
    v.setUint16(0, p.src.port);
    v.setUint16(2, p.dst.port);
    v.setUint16(4, l4.length);
    l4.set(p.payload, UDP_HEADER);
    this.#addIp(p, 17, l4);
  }

  /**
   * Adds one TCP segment carrying `payload` (PSH+ACK), with sequence numbers kept per direction.
   * @throws {SomeipSerializeError} on an address that is not dotted IPv4.
   */
  addTcp(p: PcapPacket): void {
    const key = `${p.src.address}:${p.src.port}>${p.dst.address}:${p.dst.port}`;
    const back = `${p.dst.address}:${p.dst.port}>${p.src.address}:${p.src.port}`;
    const seq = this.#tcpSeq.get(key) ?? 1;
    this.#tcpSeq.set(key, (seq + p.payload.length) >>> 0);
    const l4 = new Uint8Array(TCP_HEADER + p.payload.length);
    const v = new DataView(l4.buffer);
    v.setUint16(0, p.src.port);
    v.setUint16(2, p.dst.port);
    v.setUint32(4, seq);
    v.setUint32(8, this.#tcpSeq.get(back) ?? 1);
    l4[12] = (TCP_HEADER / 4) << 4;
    l4[13] = 0x18; // PSH + ACK
    v.setUint16(14, 65535);
    l4.set(p.payload, TCP_HEADER);
    this.#addIp(p, 6, l4);
  }

  #addIp(p: PcapPacket, proto: number, l4: Uint8Array): void {
    const total = ETH_HEADER + IPV4_HEADER + l4.length;
    const rec = new Uint8Array(16 + total);
    const v = new DataView(rec.buffer);
    const sec = Math.floor(p.t);
    v.setUint32(0, sec, true);
    v.setUint32(4, Math.min(999_999, Math.round((p.t - sec) * 1e6)), true);
    v.setUint32(8, total, true);
    v.setUint32(12, total, true);
    const e = 16;
    // Locally administered MACs derived from the IPv4 addresses keep flows apart in Wireshark.
    rec.set([0x02, 0, ...ipv4(p.dst.address)], e);
    rec.set([0x02, 0, ...ipv4(p.src.address)], e + 6);
    v.setUint16(e + 12, 0x0800);
    const ip = e + ETH_HEADER;
    rec[ip] = 0x45;
    v.setUint16(ip + 2, IPV4_HEADER + l4.length);
    v.setUint16(ip + 4, this.#ipId++ & 0xffff);
    v.setUint16(ip + 6, 0x4000); // don't fragment
    rec[ip + 8] = 64;
    rec[ip + 9] = proto;
    rec.set(ipv4(p.src.address), ip + 12);
    rec.set(ipv4(p.dst.address), ip + 16);
    let sum = 0;
    for (let i = 0; i < IPV4_HEADER; i += 2) sum += v.getUint16(ip + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    v.setUint16(ip + 10, ~sum & 0xffff);
    rec.set(l4, ip + IPV4_HEADER);
    this.#records.push(rec);
  }

  /** The whole file: global header and every packet added so far. */
  toBytes(): Uint8Array {
    const size = 24 + this.#records.reduce((n, r) => n + r.length, 0);
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    v.setUint32(0, 0xa1b2c3d4, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setUint32(16, 262144, true);
    v.setUint32(20, LINKTYPE_ETHERNET, true);
    let p = 24;
    for (const r of this.#records) {
      out.set(r, p);
      p += r.length;
    }
    return out;
  }
}
