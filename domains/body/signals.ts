/** The vehicle signals the body (cabin comfort) service reads, and their window columns. */
import type { SignalSource } from '../../runtime/service/domain.js';

export const SEAT_NAMES = ['Driver', 'Passenger', 'RearLeft', 'RearCenter', 'RearRight'] as const;

function buildSignals(): Record<string, SignalSource> {
  const out: Record<string, SignalSource> = {
    'Vehicle.Cabin.HVAC.AmbientAirTemperature': { message: 'BDY_Climate', signal: 'CLM_CabinTemp' },
    'Vehicle.Exterior.AirTemperature': { message: 'BDY_Climate', signal: 'CLM_AmbientTemp' },
    'Vehicle.Cabin.HVAC.Humidity': { message: 'BDY_Climate', signal: 'CLM_Humidity' },
    'Vehicle.Exterior.SunLoad': { message: 'BDY_Climate', signal: 'CLM_SunLoad' },
    'Vehicle.Cabin.HVAC.Setpoint': { message: 'BDY_Climate', signal: 'CLM_Setpoint' },
    'Vehicle.Cabin.HVAC.Co2': { message: 'BDY_Climate', signal: 'CLM_Co2' },
  };
  for (const s of SEAT_NAMES) out[`Vehicle.Cabin.Seat.${s}.IsOccupied`] = { message: 'BDY_Occupancy', signal: `OCC_Seat${s}` };
  for (const s of SEAT_NAMES) out[`Vehicle.Cabin.Seat.${s}.IsBelted`] = { message: 'BDY_Occupancy', signal: `OCC_Belt${s}` };
  return out;
}

export const BODY_SIGNALS: Readonly<Record<string, SignalSource>> = Object.freeze(buildSignals());
export const BODY_COLUMNS: readonly string[] = Object.freeze(Object.keys(BODY_SIGNALS));
export const B = { CABIN: 0, AMBIENT: 1, HUMIDITY: 2, SUN: 3, SETPOINT: 4, CO2: 5, SEAT: 6, BELT: 11 } as const;
/** Window: 1 Hz, 2 minutes (CO2 builds up slowly). */
export const BODY_WINDOW = { signals: BODY_COLUMNS, rateHz: 1, length: 120 } as const;
