import { describe, expect, it } from 'vitest';
import { DOMAINS } from '../../domains/index.js';
import { DOMAIN_NAMES as ALL_DOMAINS } from '../../domains/index.js';

/** The output signals that carry a confidence, and the ones that raise a flag, per output message. */
const CONFIDENCE: Readonly<Record<string, string>> = { ADAS_FCW: 'FCW_Confidence', CHS_Friction: 'CHS_Confidence', CKP_Drowsiness: 'DRW_Confidence' };
const WARNINGS: Readonly<Record<string, string>> = { ADAS_FCW: 'FCW_Level', CKP_Drowsiness: 'DRW_Level', PT_BatteryAnomaly: 'BAN_Flag' };
const MODE: Readonly<Record<string, string>> = {
  ADAS_FCW: 'FCW_Mode',
  CHS_Friction: 'CHS_Mode',
  CKP_Drowsiness: 'DRW_Mode',
  PT_BatteryAnomaly: 'BAN_Mode',
  BDY_ComfortPred: 'CMF_Mode',
};

describe('what a domain publishes on invalid inputs', () => {
  it('claims nothing from a window where nothing was heard: no warning, confidence 0, mode Fallback, source invalid', () => {
    for (const name of ALL_DOMAINS) {
      const d = DOMAINS[name];
      expect(d.invalidInputs, name).toBeDefined();
      // What the window holds while no signal is alive: the fill value (0) everywhere.
      const window = new Float32Array(d.window.length * d.window.signals.length);
      const r = d.invalidInputs!(window);
      const encoded = d.encode(r);
      expect(d.toJson(r).source, name).toBe('invalid');
      expect(encoded[MODE[d.outputMessage]!], name).toBe(3);
      const conf = CONFIDENCE[d.outputMessage];
      if (conf) expect(encoded[conf], `${name} ${conf}`).toBe(0);
      const warn = WARNINGS[d.outputMessage];
      if (warn) expect(encoded[warn], `${name} ${warn}`).toBe(0);
    }
  });

  it('differs from the rules where those would take fill values for evidence', () => {
    // Unheard cells read 0 V: the voltage limits flag a dead cell; the invalid answer does not.
    const pt = DOMAINS.powertrain;
    const empty = new Float32Array(pt.window.length * pt.window.signals.length);
    expect((pt.invalidInputs!(empty) as { flag: boolean }).flag).toBe(false);
    // The ADAS rule sees no lead and is "100 % sure" of no collision; invalid inputs give 0 %.
    const adas = DOMAINS.adas;
    const w = new Float32Array(adas.window.length * adas.window.signals.length);
    expect(adas.encode(adas.fallback(w))['FCW_Confidence']).toBe(100);
    expect(adas.encode(adas.invalidInputs!(w))['FCW_Confidence']).toBe(0);
  });
});
