/** The catalog signals the body (cabin comfort) service reads, which it requires, and their window columns. */
import type { DomainInput } from '../../runtime/service/domain.js';
import { REQUIRED, columnsOf, optional } from '../common/inputs.js';

/** Seats as VSS names them (row, position), front to back; the reference vehicle drives on the left. */
export const SEAT_NAMES = ['Row1.DriverSide', 'Row1.PassengerSide', 'Row2.DriverSide', 'Row2.Middle', 'Row2.PassengerSide'] as const;

/**
 * The set-point is predicted from the user's own set-point, the cabin and outside temperatures
 * (required) and from the sun, humidity and the occupants; the front seats' mats and belts are on
 * every car (required). The rest is optional, each default reading as "no evidence": no sun load
 * (0 W/m2), humidity at the features' neutral 50 %, CO2 at outdoor air (420 ppm, so it neither
 * rises nor counts anyone), rear seats empty and unbelted.
 */
function buildInputs(): Record<string, DomainInput> {
  const out: Record<string, DomainInput> = {
    'Vehicle.Cabin.HVAC.AmbientAirTemperature': REQUIRED,
    'Vehicle.Exterior.AirTemperature': REQUIRED,
    'Vehicle.EcuAi.Cabin.Humidity': optional(50),
    'Vehicle.EcuAi.Exterior.SunLoad': optional(0),
    'Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature': REQUIRED,
    'Vehicle.EcuAi.Cabin.Co2': optional(420),
  };
  const front = (s: (typeof SEAT_NAMES)[number]): DomainInput => (s.startsWith('Row1.') ? REQUIRED : optional(0));
  for (const s of SEAT_NAMES) out[`Vehicle.Cabin.Seat.${s}.IsOccupied`] = front(s);
  for (const s of SEAT_NAMES) out[`Vehicle.Cabin.Seat.${s}.IsBelted`] = front(s);
  return out;
}

export const BODY_INPUTS: Readonly<Record<string, DomainInput>> = Object.freeze(buildInputs());
export const BODY_COLUMNS: readonly string[] = columnsOf(BODY_INPUTS);
export const B = { CABIN: 0, AMBIENT: 1, HUMIDITY: 2, SUN: 3, SETPOINT: 4, CO2: 5, SEAT: 6, BELT: 11 } as const;
/** Window: 1 Hz, 2 minutes (CO2 builds up slowly). */
export const BODY_WINDOW = { signals: BODY_COLUMNS, rateHz: 1, length: 120 } as const;
