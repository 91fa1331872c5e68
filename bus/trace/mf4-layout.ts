/**
 * The shape of an MDF 4 bus log, read from its metadata blocks: the identification block (finalized or
 * not), the start time in the header block, and per data group the channel groups whose records hold
 * CAN frames (CAN_DataFrame, CAN_RemoteFrame, CAN_ErrorFrame, as the ASAM bus-logging standard names
 * them), where each field sits in the record, and where a frame's DataBytes are (in the record, in a
 * variable-length channel group of the same data group, or in a signal data stream). Every other
 * channel group is known only by its record size, so its records can be stepped over.
 */
import { BlockReader, ChainGuard, link, Mf4Error, u64, type Mf4Block } from './mf4-block.js';
import { checkField, type FieldLayout } from './mf4-fields.js';

export const ID_BLOCK_SIZE = 64;
/** Bounds on what the metadata may hold, far above real bus logs; each is a loop bound against forged chains. */
const MAX_DATA_GROUPS = 4096;
const MAX_CHANNEL_GROUPS = 4096;
const MAX_CHANNELS = 65536;
/** Largest fixed record a channel group may declare. */
export const MAX_RECORD_BYTES = 1 << 20;

export type CanKind = 'data' | 'remote' | 'error';
export type FieldName = 'BusChannel' | 'ID' | 'IDE' | 'DLC' | 'DataLength' | 'Dir' | 'EDL' | 'BRS' | 'ESI';
const FIELD_NAMES: readonly string[] = ['BusChannel', 'ID', 'IDE', 'DLC', 'DataLength', 'Dir', 'EDL', 'BRS', 'ESI'];

export type DataBytesLayout =
  | { readonly kind: 'fixed'; readonly byteOffset: number; readonly length: number }
  | { readonly kind: 'vlsd'; readonly offsetField: FieldLayout; readonly recordId: number }
  | { readonly kind: 'sd'; readonly offsetField: FieldLayout; readonly dataLink: number; readonly at: number };

/** Seconds = factor * raw + offset, raw being the master channel's value (or the record index for a virtual master). */
export interface TimeLayout {
  readonly field: FieldLayout | undefined;
  readonly factor: number;
  readonly offset: number;
}

export interface CanGroupLayout {
  readonly kind: CanKind;
  readonly name: string;
  readonly at: number;
  readonly time: TimeLayout;
  readonly fields: Readonly<Partial<Record<FieldName, FieldLayout>>>;
  readonly dataBytes: DataBytesLayout | undefined;
}

export interface ChannelGroupLayout {
  readonly at: number;
  readonly recordId: number;
  /** Data plus invalidation bytes of one record; a VLSD group's records carry their own length instead. */
  readonly recordBytes: number;
  readonly vlsd: boolean;
  readonly cycleCount: number;
  readonly can: CanGroupLayout | undefined;
}

export interface DataGroupLayout {
  readonly at: number;
  readonly recordIdSize: number;
  readonly dataLink: number;
  readonly groups: ReadonlyMap<number, ChannelGroupLayout>;
}

export interface Mf4Layout {
  readonly finalized: boolean;
  readonly unfinalizedFlags: number;
  readonly version: number;
  /** Epoch seconds of the recording's start (hd_start_time_ns). */
  readonly start: number;
  readonly dataGroups: readonly DataGroupLayout[];
}

export async function readMf4Layout(r: BlockReader): Promise<Mf4Layout> {
  if (r.fileSize < ID_BLOCK_SIZE) throw new Mf4Error(r.fileSize, `truncated at byte ${r.fileSize}: the identification block needs ${ID_BLOCK_SIZE} bytes`);
  const id = await r.bytes(0, ID_BLOCK_SIZE);
  const fileId = id.toString('latin1', 0, 8);
  if (fileId !== 'MDF     ' && fileId !== 'UnFinMF ') throw new Mf4Error(0, `not an MDF file (identification ${JSON.stringify(fileId)}, expected "MDF     " or "UnFinMF ")`);
  const version = id.readUInt16LE(28);
  if (version < 400 || version >= 500) throw new Mf4Error(28, `MDF version ${version} is not read (MDF 4.x only)`);
  const finalized = fileId === 'MDF     ';
  const hd = await r.block(ID_BLOCK_SIZE, 'header block', ['##HD'], 8);
  // Nanoseconds since 1970 exceed 2^53: split so the seconds keep their microseconds.
  const startNs = hd.data.readBigUInt64LE(0);
  const start = Number(startNs / 1_000_000_000n) + Number(startNs % 1_000_000_000n) / 1e9;
  const dataGroups: DataGroupLayout[] = [];
  const guard = new ChainGuard('the data group chain', MAX_DATA_GROUPS);
  for (let at = link(hd, 0); at !== 0;) {
    guard.visit(at);
    const dg = await r.block(at, 'data group', ['##DG'], 1);
    dataGroups.push(await readDataGroup(r, dg));
    at = link(dg, 0);
  }
  return { finalized, unfinalizedFlags: finalized ? 0 : id.readUInt16LE(60), version, start, dataGroups };
}

async function readDataGroup(r: BlockReader, dg: Mf4Block): Promise<DataGroupLayout> {
  const recordIdSize = dg.data[0] as number;
  if (![0, 1, 2, 4, 8].includes(recordIdSize)) throw new Mf4Error(dg.offset, `data group: record id size ${recordIdSize} is not 0, 1, 2, 4 or 8`);
  const blocks: Mf4Block[] = [];
  const guard = new ChainGuard('the channel group chain', MAX_CHANNEL_GROUPS);
  for (let at = link(dg, 1); at !== 0;) {
    guard.visit(at);
    const cg = await r.block(at, 'channel group', ['##CG'], 32);
    blocks.push(cg);
    at = link(cg, 0);
  }
  if (recordIdSize === 0 && blocks.length > 1) throw new Mf4Error(dg.offset, `data group holds ${blocks.length} channel groups but no record ids`);
  const recordIdAt = new Map(blocks.map((b) => [b.offset, u64(b.data, 0)]));
  const groups = new Map<number, ChannelGroupLayout>();
  for (const cg of blocks) {
    const g = await readChannelGroup(r, cg, recordIdAt);
    if (groups.has(g.recordId)) throw new Mf4Error(cg.offset, `channel group record id ${g.recordId} is used twice in the data group at byte ${dg.offset}`);
    groups.set(g.recordId, g);
  }
  return { at: dg.offset, recordIdSize, dataLink: link(dg, 2), groups };
}

interface Channel {
  readonly block: Mf4Block;
  readonly name: string;
}

async function readChannelGroup(r: BlockReader, cg: Mf4Block, recordIdAt: ReadonlyMap<number, number>): Promise<ChannelGroupLayout> {
  const recordId = u64(cg.data, 0);
  const flags = cg.data.readUInt16LE(16);
  const vlsd = (flags & 1) !== 0;
  const recordBytes = cg.data.readUInt32LE(24) + cg.data.readUInt32LE(28);
  const base = { at: cg.offset, recordId, vlsd, cycleCount: u64(cg.data, 8) };
  if (vlsd) return { ...base, recordBytes: 0, can: undefined };
  if (recordBytes > MAX_RECORD_BYTES) throw new Mf4Error(cg.offset, `channel group declares records of ${recordBytes} bytes, more than the limit of ${MAX_RECORD_BYTES}`);
  const channels = await readChannels(r, link(cg, 1));
  const kindOf = (name: string): CanKind | undefined =>
    name.startsWith('CAN_DataFrame') ? 'data' : name.startsWith('CAN_RemoteFrame') ? 'remote' : name.startsWith('CAN_ErrorFrame') ? 'error' : undefined;
  const kind = channels.map((c) => kindOf(c.name)).find((k) => k !== undefined);
  if (kind === undefined) return { ...base, recordBytes, can: undefined };
  const fields: Partial<Record<FieldName, FieldLayout>> = {};
  let dataBytes: DataBytesLayout | undefined;
  let time: TimeLayout | undefined;
  for (const c of channels) {
    const d = c.block.data;
    const type = d[0] as number;
    const sync = d[1] as number;
    const layout: FieldLayout = { name: c.name, dataType: d[2] as number, bitOffset: d[3] as number, byteOffset: d.readUInt32LE(4), bitCount: d.readUInt32LE(8) };
    if ((type === 2 || type === 3) && sync === 1) {
      if (type === 2) checkField(layout, recordBytes, c.block.offset);
      time = { field: type === 2 ? layout : undefined, ...(await conversion(r, link(c.block, 4), c.name)) };
      continue;
    }
    const suffix = c.name.slice(c.name.lastIndexOf('.') + 1);
    if (suffix === 'DataBytes' && kindOf(c.name) !== undefined) {
      dataBytes = await dataBytesLayout(r, c, layout, recordBytes, recordIdAt);
    } else if (FIELD_NAMES.includes(suffix) && kindOf(c.name) !== undefined && type === 0) {
      checkField(layout, recordBytes, c.block.offset);
      fields[suffix as FieldName] = layout;
    }
  }
  if (time === undefined) throw new Mf4Error(cg.offset, `channel group ${kind === 'data' ? 'CAN_DataFrame' : kind === 'remote' ? 'CAN_RemoteFrame' : 'CAN_ErrorFrame'} has no time master channel`);
  if (kind !== 'error' && fields.ID === undefined) throw new Mf4Error(cg.offset, 'CAN channel group has no ID channel');
  const name = await r.text(link(cg, 2), 'channel group name');
  return { ...base, recordBytes, can: { kind, name, at: cg.offset, time, fields, dataBytes } };
}

/** All channels of a group, nested compositions (CAN_DataFrame's fields) included, depth first. */
async function readChannels(r: BlockReader, first: number): Promise<Channel[]> {
  const out: Channel[] = [];
  const guard = new ChainGuard('the channel tree', MAX_CHANNELS);
  const pending = [first];
  while (pending.length > 0) {
    let at = pending.pop() as number;
    while (at !== 0) {
      guard.visit(at);
      const cn = await r.block(at, 'channel', ['##CN'], 16);
      out.push({ block: cn, name: await r.text(link(cn, 2), 'channel name') });
      const composition = link(cn, 1);
      if (composition !== 0) {
        const { id } = await r.header(composition, 'channel composition', ['##CN', '##CA']);
        if (id === '##CN') pending.push(composition);
      }
      at = link(cn, 0);
    }
  }
  return out;
}

async function conversion(r: BlockReader, at: number, channel: string): Promise<{ factor: number; offset: number }> {
  if (at === 0) return { factor: 1, offset: 0 };
  const cc = await r.block(at, `conversion of ${channel}`, ['##CC'], 24);
  const type = cc.data[0] as number;
  const values = cc.data.readUInt16LE(6);
  if (type === 0) return { factor: 1, offset: 0 };
  if (type !== 1 || values < 2 || cc.data.length < 40) throw new Mf4Error(at, `conversion of ${channel}: type ${type} is not read (identity and linear only)`);
  const offset = cc.data.readDoubleLE(24);
  const factor = cc.data.readDoubleLE(32);
  if (!Number.isFinite(offset) || !Number.isFinite(factor)) throw new Mf4Error(at, `conversion of ${channel}: not finite`);
  return { factor, offset };
}

async function dataBytesLayout(r: BlockReader, c: Channel, layout: FieldLayout, recordBytes: number, recordIdAt: ReadonlyMap<number, number>): Promise<DataBytesLayout> {
  const type = c.block.data[0] as number;
  const at = c.block.offset;
  if (type === 0) {
    if (layout.bitOffset !== 0 || layout.bitCount % 8 !== 0) throw new Mf4Error(at, `channel ${c.name}: a byte array must start and end on byte boundaries`);
    const length = layout.bitCount / 8;
    if (layout.byteOffset + length > recordBytes) throw new Mf4Error(at, `channel ${c.name} lies outside its ${recordBytes}-byte record`);
    return { kind: 'fixed', byteOffset: layout.byteOffset, length };
  }
  if (type !== 1) throw new Mf4Error(at, `channel ${c.name}: channel type ${type} is not read for DataBytes`);
  const offsetField: FieldLayout = { ...layout, dataType: 0 };
  checkField(offsetField, recordBytes, at);
  const dataLink = link(c.block, 5);
  if (dataLink === 0) throw new Mf4Error(at, `channel ${c.name} is variable length but links to no data`);
  const recordId = recordIdAt.get(dataLink);
  if (recordId !== undefined) return { kind: 'vlsd', offsetField, recordId };
  await r.header(dataLink, `data of ${c.name}`, ['##SD', '##DZ', '##DL', '##HL']);
  return { kind: 'sd', offsetField, dataLink, at };
}
