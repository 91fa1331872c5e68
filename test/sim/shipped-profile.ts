/**
 * What every shipped profile of a real vehicle keeps to, as tests of its own: its `vehicle:` name,
 * no DBC of its own (opendbc's is given with --dbc), only catalog signals some domain reads, and a
 * header saying which domains run on that vehicle and why the others do not.
 */
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { DOMAIN_LIST } from '../../domains/index.js';

export interface ShippedProfile {
  readonly vehicle: string;
  readonly dbc?: string;
  readonly signals: Readonly<Record<string, unknown>>;
}

export function parseShippedProfile(text: string): ShippedProfile {
  return parse(text) as ShippedProfile;
}

/** Declares the tests of a shipped profile's text, inside the caller's `describe`. */
export function shippedProfileTests(text: string, vehicle: string): void {
  const profile = parseShippedProfile(text);

  it('names the vehicle, maps only catalog signals the domains read, and ships no DBC', () => {
    expect(profile.vehicle).toBe(vehicle);
    expect(profile.dbc).toBeUndefined();
    const catalog = new Set(DOMAIN_LIST.flatMap((d) => Object.keys(d.inputs)));
    expect(Object.keys(profile.signals).filter((name) => !catalog.has(name))).toEqual([]);
  });

  it('says at the top which domains run on this vehicle and why the others do not', () => {
    const header = text.slice(0, text.indexOf('\nvehicle:'));
    for (const d of DOMAIN_LIST) expect(header, d.domain).toMatch(new RegExp(`#\\s+${d.domain}\\s+(runs|disabled):`));
  });
}
