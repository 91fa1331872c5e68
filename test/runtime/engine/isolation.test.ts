import { describe, expect, it } from 'vitest';
import { isolationFor, sharedWorkerOf } from '../../../runtime/engine/isolation.js';

describe('where a domain model runs', () => {
  it('defaults to one shared process per criticality', () => {
    expect(isolationFor(undefined, 'safety')).toEqual({ isolation: 'shared', group: 'safety' });
    expect(isolationFor(undefined, 'comfort')).toEqual({ isolation: 'shared', group: 'comfort' });
  });

  it('follows the config: a process or a thread of its own, or a named group', () => {
    expect(isolationFor({ isolation: 'process' } as never, 'safety')).toEqual({ isolation: 'process' });
    expect(isolationFor({ isolation: 'thread' } as never, 'comfort')).toEqual({ isolation: 'thread' });
    expect(isolationFor({ isolation: 'shared', group: 'rig' } as never, 'safety')).toEqual({ isolation: 'shared', group: 'rig' });
    expect(isolationFor({ group: 'rig' } as never, 'comfort')).toEqual({ isolation: 'shared', group: 'rig' });
  });

  it('names the shared process to admission only when the domain infers locally', () => {
    expect(sharedWorkerOf(undefined, 'safety', true)).toEqual({ worker: 'safety' });
    expect(sharedWorkerOf(undefined, 'safety', false)).toEqual({});
    expect(sharedWorkerOf({ isolation: 'process' } as never, 'safety', true)).toEqual({});
  });
});
