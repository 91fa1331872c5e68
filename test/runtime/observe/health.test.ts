import { describe, expect, it } from 'vitest';
import { HealthModel } from '../../../runtime/observe/index.js';

describe('HealthModel', () => {
  it('is ok when every domain runs and every component is ready', () => {
    const h = new HealthModel();
    h.setDomain('adas', { state: 'running', variant: 'fp32' });
    h.addCheck('bus', () => ({ ready: true }));
    const r = h.report(10);
    expect(r).toMatchObject({ status: 'ok', ready: true, t: 10 });
    expect(r.domains.adas).toMatchObject({ name: 'adas', alive: true, ready: true, degraded: false, state: 'running', variant: 'fp32' });
  });

  it('is down while a critical domain is not serving', () => {
    const h = new HealthModel();
    h.setDomain('adas', { state: 'starting' });
    expect(h.report(0)).toMatchObject({ status: 'down', ready: false });
    expect(h.report(0).domains.adas).toMatchObject({ alive: true, ready: false });
    h.setDomain('adas', { state: 'failed' });
    expect(h.report(1).domains.adas).toMatchObject({ alive: false, ready: false });
  });

  it('only degrades the whole when a non-critical domain is down', () => {
    const h = new HealthModel();
    h.setDomain('adas', { state: 'running' });
    h.setDomain('body', { state: 'restarting', critical: false });
    expect(h.report(0)).toMatchObject({ status: 'degraded', ready: true });
  });

  it('counts a domain on its fallback or with invalid inputs as ready but degraded', () => {
    const h = new HealthModel();
    h.setDomain('chassis', { state: 'fallback' });
    expect(h.report(0).domains.chassis).toMatchObject({ ready: true, degraded: true });
    h.setDomain('chassis', { state: 'running', signalsValid: 3, signalsTotal: 4 });
    expect(h.report(0).domains.chassis).toMatchObject({ ready: true, degraded: true });
    h.setDomain('chassis', { signalsValid: 4 });
    expect(h.report(0)).toMatchObject({ status: 'ok' });
  });

  it('declares a domain dead once its watchdog runs out since the last heartbeat', () => {
    const h = new HealthModel();
    h.setDomain('adas', { state: 'running', watchdogS: 0.5 });
    expect(h.report(0).domains.adas?.alive).toBe(false);
    h.heartbeat('adas', 1);
    expect(h.report(1.4).domains.adas?.alive).toBe(true);
    expect(h.report(1.6)).toMatchObject({ status: 'down', ready: false });
  });

  it('keeps the last error with its code and time', () => {
    const h = new HealthModel();
    h.setDomain('adas', { state: 'running' });
    h.reportError('adas', Object.assign(new Error('worker exited'), { code: 'WORKER_CRASHED' }), 3);
    h.reportError('adas', 'plain', 4);
    expect(h.report(5).domains.adas?.lastError).toEqual({ message: 'plain', t: 4 });
    h.reportError('adas', Object.assign(new Error('worker exited'), { code: 'WORKER_CRASHED' }), 6);
    expect(h.report(6).domains.adas?.lastError).toEqual({ message: 'worker exited', code: 'WORKER_CRASHED', t: 6 });
  });

  it('turns a throwing component check into a not-ready component', () => {
    const h = new HealthModel();
    h.addCheck('cloud', () => {
      throw new Error('no broker');
    });
    const r = h.report(0);
    expect(r.ready).toBe(false);
    expect(r.components.cloud?.detail).toContain('no broker');
  });

  it('lists domains in name order, so reports are deterministic', () => {
    const h = new HealthModel();
    for (const d of ['powertrain', 'adas', 'body']) h.setDomain(d, { state: 'running' });
    expect(Object.keys(h.report(0).domains)).toEqual(['adas', 'body', 'powertrain']);
    h.removeDomain('body');
    expect(Object.keys(h.report(0).domains)).toEqual(['adas', 'powertrain']);
  });

  it('says why a domain is degraded: its fallback, its stale inputs by name', () => {
    const h = new HealthModel();
    h.setDomain('cockpit', { state: 'fallback', critical: false, signalsTotal: 3, signalsValid: 1, invalidSignals: ['Eye.Left', 'Eye.Right'] });
    const c = h.report(0).domains.cockpit!;
    expect(c.degraded).toBe(true);
    expect(c.reasons).toEqual(['answering from its rule-based fallback', 'inputs invalid: 2 of 3 signals stale or missing (Eye.Left, Eye.Right)']);
    h.setDomain('cockpit', { state: 'running', signalsValid: 3, invalidSignals: [] });
    expect(h.report(0).domains.cockpit?.reasons).toEqual([]);
  });

  it('is degraded while a domain missed deadlines within the miss window, and recovers after it', () => {
    const h = new HealthModel({ missWindowS: 10 });
    h.setDomain('chassis', { state: 'running' });
    h.recordMisses('chassis', 0, 0);
    expect(h.report(1)).toMatchObject({ status: 'ok' });
    h.recordMisses('chassis', 3, 2);
    const r = h.report(5);
    expect(r.status).toBe('degraded');
    expect(r.domains.chassis).toMatchObject({ degraded: true, ready: true, recentMisses: 3, reasons: ['3 deadline misses in the last 10 s'] });
    h.recordMisses('chassis', 3, 11);
    expect(h.report(11.9).domains.chassis?.recentMisses).toBe(3);
    expect(h.report(12.1)).toMatchObject({ status: 'ok' });
    expect(h.report(12.1).domains.chassis?.recentMisses).toBe(0);
  });
});
