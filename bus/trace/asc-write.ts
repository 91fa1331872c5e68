/**
 * Vector ASC writing, in the shape CANalyzer and python-can read: a `date` header and a
 * `Begin Triggerblock` with the start of the recording, `base hex  timestamps absolute`, then one
 * line per frame with the time from the start in microseconds. The start is the first frame's time
 * cut to the millisecond (the header's resolution), so absolute times survive to the microsecond.
 * CAN FD frames go on CANFD lines with FLAGS (EDL, BRS, ESI) filled in; error frames as `ErrorFrame`.
 */
import type { CanFrame } from '../frame.js';
import { channelToNumber } from './channel.js';
import { bytesToSpacedHex } from './hex.js';
import type { LineFormatter } from './text-writer.js';
import { formatVectorDate } from './vector-date.js';

function header(startMs: number): string {
  const date = formatVectorDate(startMs);
  return `date ${date}\nbase hex  timestamps absolute\ninternal events logged\n// version 9.0.0\nBegin Triggerblock ${date}\n   0.000000 Start of measurement\n`;
}

/** One ASC frame line (no newline) for a frame `offset` seconds after the start. */
export function formatAscLine(frame: CanFrame, offset: number): string {
  const t = offset.toFixed(6).padStart(11, ' ');
  const ch = channelToNumber(frame.channel);
  const dir = frame.tx === true ? 'Tx' : 'Rx';
  if (frame.error) return `${t} ${ch}  ErrorFrame`;
  const id = frame.id.toString(16).toUpperCase() + (frame.extended ? 'x' : '');
  if (frame.fd) {
    const flags = 0x1000 | (frame.brs ? 0x2000 : 0) | (frame.esi ? 0x4000 : 0);
    const data = frame.data.length > 0 ? ` ${bytesToSpacedHex(frame.data)}` : '';
    return (
      `${t} CANFD ${String(ch).padStart(3, ' ')} ${dir}  ${id.padStart(8, ' ')} ${''.padStart(32, ' ')} ${frame.brs ? 1 : 0} ${frame.esi ? 1 : 0} ` +
      `${frame.dlc.toString(16)} ${String(frame.data.length).padStart(2, ' ')}${data}        0    0 ${flags.toString(16)}        0        0        0        0        0`
    );
  }
  if (frame.rtr) return `${t} ${ch}  ${id.padEnd(15, ' ')} ${dir}   r ${frame.dlc.toString(16)}`;
  const data = frame.data.length > 0 ? ` ${bytesToSpacedHex(frame.data)}` : '';
  return `${t} ${ch}  ${id.padEnd(15, ' ')} ${dir}   d ${frame.dlc.toString(16)}${data}`;
}

/** A formatter writing the header on the first frame (its time sets the start). */
export function ascFormatter(): LineFormatter {
  let start: number | undefined;
  return {
    format(frame) {
      let head = '';
      if (start === undefined) {
        const startMs = Math.floor(frame.timestamp * 1000);
        start = startMs / 1000;
        head = header(startMs);
      }
      return `${head}${formatAscLine(frame, Math.max(0, frame.timestamp - start))}\n`;
    },
    finish() {
      return `${start === undefined ? header(0) : ''}End TriggerBlock\n`;
    },
  };
}
