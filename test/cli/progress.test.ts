import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../cli/progress.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (c: Buffer) => (out += c.toString()));
  return { stream, text: () => out };
}

describe('progress line', () => {
  it('draws count, rate and time left on a terminal, at most five times a second, and clears itself', () => {
    const s = sink();
    let ms = 0;
    const p = createProgress(s.stream, { label: 'sim', unit: 's of drive', total: 100, forceTty: true, now: () => ms });
    ms = 1000;
    p.update(10);
    ms = 1100;
    p.update(11); // within 200 ms of the last draw: not drawn
    ms = 2000;
    p.update(20);
    p.end();
    const text = s.text();
    expect(text).toContain('\rsim: 10 / 100 s of drive, 10 %, 10.0 s of drive/s, 9 s left');
    expect(text).not.toContain('11 / 100');
    expect(text).toContain('\rsim: 20 / 100 s of drive, 20 %, 10.0 s of drive/s, 8 s left');
    expect(text.endsWith('\r')).toBe(true);
  });

  it('writes nothing when stderr is not a terminal, or with --quiet', () => {
    const s = sink();
    const p = createProgress(s.stream, { label: 'replay', unit: 'frames' });
    p.update(5);
    p.end();
    const q = createProgress(s.stream, { label: 'replay', unit: 'frames', quiet: true, forceTty: true });
    q.update(5);
    q.end();
    expect(s.text()).toBe('');
  });
});
