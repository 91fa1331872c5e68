import { describe, expect, it } from 'vitest';
import { sharedWorkerOf } from '../../../runtime/engine/isolation.js';
import { isolationFor } from '../../../runtime/service/resolved.js';

describe('where a domain model runs', () => {
  it('defaults to one shared process per criticality', () => {
    expect(isolationFor({}, 'safety')).toEqual({ isolation: 'shared', group: 'safety' });
    expect(isolationFor({}, 'comfort')).toEqual({ isolation: 'shared', group: 'comfort' });
  });

  it('follows the config: a process or a thread of its own, or a named group', () => {
    expect(isolationFor({ isolation: 'process' }, 'safety')).toEqual({ isolation: 'process' });
    expect(isolationFor({ isolation: 'thread' }, 'comfort')).toEqual({ isolation: 'thread' });
    expect(isolationFor({ isolation: 'shared', group: 'rig' }, 'safety')).toEqual({ isolation: 'shared', group: 'rig' });
    expect(isolationFor({ group: 'rig' }, 'comfort')).toEqual({ isolation: 'shared', group: 'rig' });
  });

  it('names the shared process to admission only when the domain infers locally', () => {
    expect(sharedWorkerOf(isolationFor({}, 'safety'), true)).toEqual({ worker: 'safety' });
    expect(sharedWorkerOf(isolationFor({}, 'safety'), false)).toEqual({});
    expect(sharedWorkerOf(isolationFor({ isolation: 'process' }, 'safety'), true)).toEqual({});
  });
});
