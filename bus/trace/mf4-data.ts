/**
 * Where a data group's records (or a channel's signal data) are: a DT/SD block, a DZ block, or a DL list
 * (optionally under an HL header) of such blocks, walked into fragments of one logical byte stream.
 * Lists are followed with cycle detection and a bound on their count; a DZ block is only described here,
 * inflated later, one at a time, to at most its declared size (itself at most MAX_DZ_BYTES).
 */
import { BLOCK_HEADER_SIZE, BlockReader, ChainGuard, link, Mf4Error, u64 } from './mf4-block.js';

/** Largest original size a DZ block may declare: it is inflated whole. asammdf writes blocks of 4 MiB. */
export const MAX_DZ_BYTES = 64 << 20;
const DZ_HEADER_SIZE = BLOCK_HEADER_SIZE + 24;
const MAX_LIST_BLOCKS = 1 << 20;

export interface Fragment {
  /** The data block's file offset, for errors. */
  readonly at: number;
  /** File offset of its (stored) payload. */
  readonly payloadAt: number;
  /** Logical (uncompressed) bytes it contributes. */
  readonly length: number;
  /** DZ only: stored bytes, 0 (deflate) or 1 (transposed, then deflated), and the transposition's columns. */
  readonly zipped?: { readonly storedLength: number; readonly zipType: number; readonly columns: number };
}

/** The fragments behind `dataLink`; `plain` is the uncompressed block id expected (##DT for records, ##SD for signal data). */
export async function dataFragments(r: BlockReader, dataLink: number, plain: '##DT' | '##SD', what: string): Promise<Fragment[]> {
  if (dataLink === 0) return [];
  const { id } = await r.header(dataLink, what, [plain, '##DZ', '##DL', '##HL']);
  if (id === '##DL' || id === '##HL') return listFragments(r, dataLink, id, plain, what);
  return [await fragment(r, dataLink, plain, what)];
}

async function listFragments(r: BlockReader, at: number, id: string, plain: string, what: string): Promise<Fragment[]> {
  let first = at;
  if (id === '##HL') {
    const hl = await r.block(at, `${what} header list`, ['##HL']);
    first = link(hl, 0);
  }
  const out: Fragment[] = [];
  const guard = new ChainGuard(`the data list of ${what}`, MAX_LIST_BLOCKS);
  for (let dl = first; dl !== 0;) {
    guard.visit(dl);
    const list = await r.block(dl, `${what} data list`, ['##DL'], 8);
    for (const blockAt of list.links.slice(1)) {
      if (blockAt === 0) continue;
      guard.visit(blockAt);
      out.push(await fragment(r, blockAt, plain, what));
    }
    dl = link(list, 0);
  }
  return out;
}

async function fragment(r: BlockReader, at: number, plain: string, what: string): Promise<Fragment> {
  const { id, length, linkCount } = await r.header(at, what, [plain, '##DZ']);
  if (id !== '##DZ') return { at, payloadAt: at + BLOCK_HEADER_SIZE + 8 * linkCount, length: length - BLOCK_HEADER_SIZE - 8 * linkCount };
  if (length < DZ_HEADER_SIZE) throw new Mf4Error(at, `DZ block of ${length} bytes is shorter than its ${DZ_HEADER_SIZE}-byte header`);
  const head = await r.bytes(at, DZ_HEADER_SIZE);
  const original = `##${head.toString('latin1', 24, 26)}`;
  if (original !== plain) throw new Mf4Error(at, `DZ block holds a ${original} block where ${plain} data belong`);
  const zipType = head[26] as number;
  if (zipType !== 0 && zipType !== 1) throw new Mf4Error(at, `DZ block: unknown compression ${zipType}`);
  const columns = head.readUInt32LE(28);
  const originalLength = u64(head, 32);
  const storedLength = u64(head, 40);
  if (originalLength > MAX_DZ_BYTES) throw new Mf4Error(at, `DZ block declares ${originalLength} uncompressed bytes, more than the limit of ${MAX_DZ_BYTES}`);
  if (storedLength > MAX_DZ_BYTES + (MAX_DZ_BYTES >> 4)) throw new Mf4Error(at, `DZ block declares ${storedLength} compressed bytes, more than any ${MAX_DZ_BYTES}-byte block deflates to`);
  if (storedLength > length - DZ_HEADER_SIZE) throw new Mf4Error(at, `DZ block declares ${storedLength} compressed bytes, but the block holds ${length - DZ_HEADER_SIZE}`);
  if (zipType === 1 && columns === 0) throw new Mf4Error(at, 'DZ block: transposition over 0 columns');
  return { at, payloadAt: at + DZ_HEADER_SIZE, length: originalLength, zipped: { storedLength, zipType, columns } };
}
