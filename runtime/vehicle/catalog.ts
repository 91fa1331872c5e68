/**
 * The vehicle catalog: every signal a domain may read, by its vehicle-independent name, with unit,
 * type and plausible range. Names are COVESA VSS's where VSS has the signal (`origin: 'vss'`);
 * the others keep the VSS-style names the domains have always read and are marked `extension`
 * (VSS has no radar object list, no driver-monitoring camera outputs, no per-cell battery values).
 * A vehicle profile maps these names onto one vehicle's bus; units here are the ones the domains'
 * features are written in, and a profile's source is converted into them.
 */
import { nearestKey } from '../config-keys.js';
import type { CatalogSignal, CatalogValueType } from './types.js';
import { requireUnit } from './units.js';

function signal(
  name: string,
  unit: string,
  type: CatalogValueType,
  range: readonly [number, number],
  origin: CatalogSignal['origin'],
  description: string,
): CatalogSignal {
  // The symbol is checked against the unit table at load, so a typo here fails every test at once.
  const symbol = requireUnit(unit).symbol;
  return Object.freeze({ name, unit: symbol, type, min: range[0], max: range[1], description, origin });
}

const flag = (name: string, origin: CatalogSignal['origin'], description: string): CatalogSignal => signal(name, '', 'bool', [0, 1], origin, description);

/** Radar objects, sorted by distance, as the front radar reports them. */
export const CATALOG_RADAR_OBJECTS = 8;
/** Traction battery cells and temperature sensors. */
export const CATALOG_BATTERY_CELLS = 96;
export const CATALOG_BATTERY_SENSORS = 24;
/** Seats, front to back, left to right. */
export const CATALOG_SEATS = ['Row1.DriverSide', 'Row1.PassengerSide', 'Row2.DriverSide', 'Row2.Middle', 'Row2.PassengerSide'] as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

function motion(): CatalogSignal[] {
  return [
    signal('Vehicle.Speed', 'km/h', 'float', [-100, 400], 'vss', 'Vehicle speed.'),
    signal('Vehicle.Acceleration.Longitudinal', 'm/s^2', 'float', [-20, 20], 'vss', 'Vehicle acceleration in X (longitudinal acceleration), positive forward.'),
    signal('Vehicle.Acceleration.Lateral', 'm/s^2', 'float', [-20, 20], 'vss', 'Vehicle acceleration in Y (lateral acceleration), positive to the left.'),
    signal('Vehicle.AngularVelocity.Yaw', 'deg/s', 'float', [-300, 300], 'vss', 'Vehicle rotation rate along Z (vertical), positive counter-clockwise seen from above.'),
  ];
}

function radar(): CatalogSignal[] {
  const out: CatalogSignal[] = [];
  for (let k = 1; k <= CATALOG_RADAR_OBJECTS; k++) {
    const p = `Vehicle.EcuAi.Radar.Object${k}`;
    const nth = `front radar object ${k} (objects sorted by distance)`;
    out.push(
      signal(`${p}.Distance`, 'm', 'float', [0, 300], 'extension', `Longitudinal distance to the ${nth}.`),
      signal(`${p}.RelSpeed`, 'm/s', 'float', [-100, 100], 'extension', `Relative speed of the ${nth}, negative = closing.`),
      signal(`${p}.LatOffset`, 'm', 'float', [-30, 30], 'extension', `Lateral offset of the ${nth}, positive = left of the ego centreline.`),
      flag(`${p}.Valid`, 'extension', `1 when the ${nth} is a tracked object.`),
      signal(`${p}.ExistProb`, 'percent', 'float', [0, 100], 'extension', `Existence probability of the ${nth}.`),
      signal(`${p}.Id`, '', 'int', [0, 255], 'extension', `Track id of the ${nth}; the same object keeps its id.`),
    );
  }
  return out;
}

function chassis(): CatalogSignal[] {
  const wheel = (row: 1 | 2, side: 'Left' | 'Right'): CatalogSignal =>
    signal(`Vehicle.Chassis.Axle.Row${row}.Wheel.${side}.Speed`, 'km/h', 'float', [-100, 400], 'vss', `Rotational speed of the ${row === 1 ? 'front' : 'rear'} ${side.toLowerCase()} wheel, as a vehicle speed.`);
  return [
    wheel(1, 'Left'),
    wheel(1, 'Right'),
    wheel(2, 'Left'),
    wheel(2, 'Right'),
    signal('Vehicle.Chassis.SteeringWheel.Angle', 'deg', 'float', [-1000, 1000], 'vss', 'Steering wheel angle, positive = left (counter-clockwise).'),
    signal('Vehicle.Powertrain.ElectricMotor.Torque', 'Nm', 'float', [-5000, 5000], 'vss', 'Current motor torque; negative when regenerating.'),
    signal('Vehicle.EcuAi.Chassis.BrakePressure', 'bar', 'float', [0, 400], 'extension', 'Brake system (master cylinder) hydraulic pressure.'),
    flag('Vehicle.ADAS.ABS.IsEngaged', 'vss', 'Indicates if ABS is currently regulating brake pressure.'),
    signal('Vehicle.Body.Raindetection.Intensity', 'percent', 'float', [0, 100], 'vss', 'Rain intensity from the rain sensor, 0 = no rain (VSS declares it an integer percent).'),
    signal('Vehicle.Body.Windshield.Front.Wiping.Mode', '', 'enum', [0, 3], 'vss', 'Front wiper mode as a number: 0 off, 1 slow (interval), 2 medium, 3 fast (VSS spells the modes as strings).'),
    signal('Vehicle.EcuAi.Camera.Lane.Quality', '', 'enum', [0, 3], 'extension', 'Quality of the camera lane model: 0 none, 1 low, 2 medium, 3 high.'),
    signal('Vehicle.EcuAi.Camera.Lane.Offset', 'm', 'float', [-10, 10], 'extension', 'Lane centre to vehicle centre, positive = vehicle left of the lane centre.'),
  ];
}

function environment(): CatalogSignal[] {
  return [
    signal('Vehicle.Exterior.AirTemperature', 'degC', 'float', [-60, 80], 'vss', 'Air temperature outside the vehicle.'),
    signal('Vehicle.EcuAi.Exterior.SunLoad', 'W/m^2', 'float', [0, 1500], 'extension', 'Solar irradiance on the vehicle (sun load sensor).'),
  ];
}

function cockpit(): CatalogSignal[] {
  const d = 'Vehicle.EcuAi.DriverMonitoring';
  return [
    flag(`${d}.FaceDetected`, 'extension', '1 when the driver-monitoring camera sees the driver\'s face.'),
    signal(`${d}.EyeOpening.Left`, 'percent', 'float', [0, 100], 'extension', 'Opening of the driver\'s left eye, 100 = fully open.'),
    signal(`${d}.EyeOpening.Right`, 'percent', 'float', [0, 100], 'extension', 'Opening of the driver\'s right eye, 100 = fully open.'),
    signal(`${d}.Head.Pitch`, 'deg', 'float', [-90, 90], 'extension', 'Driver head pitch, positive = head down.'),
    signal(`${d}.Head.Yaw`, 'deg', 'float', [-90, 90], 'extension', 'Driver head yaw relative to straight ahead.'),
    flag('Vehicle.Driver.IsEyesOnRoad', 'vss', '1 when the driver is looking at the road.'),
  ];
}

function battery(): CatalogSignal[] {
  const b = 'Vehicle.EcuAi.TractionBattery';
  const out: CatalogSignal[] = [];
  for (let c = 1; c <= CATALOG_BATTERY_CELLS; c++) {
    out.push(signal(`${b}.Cell${pad2(c)}.Voltage`, 'V', 'float', [0, 5], 'extension', `Voltage of cell ${c} of the traction battery.`));
  }
  for (let s = 1; s <= CATALOG_BATTERY_SENSORS; s++) {
    out.push(signal(`${b}.Sensor${pad2(s)}.Temperature`, 'degC', 'float', [-40, 120], 'extension', `Temperature at battery sensor ${s} (between cells ${4 * s - 3} and ${4 * s}).`));
  }
  out.push(
    signal(`${b}.Current`, 'A', 'float', [-2000, 2000], 'extension', 'Pack current, positive = discharge (VSS CurrentCurrent counts charging positive, so it is not that signal).'),
    signal('Vehicle.Powertrain.TractionBattery.StateOfCharge.Current', 'percent', 'float', [0, 100], 'vss', 'Physical state of charge of the pack.'),
  );
  return out;
}

function cabin(): CatalogSignal[] {
  const out = [
    signal('Vehicle.Cabin.HVAC.AmbientAirTemperature', 'degC', 'float', [-40, 85], 'vss', 'Ambient air temperature inside the vehicle.'),
    signal('Vehicle.EcuAi.Cabin.Humidity', 'percent', 'float', [0, 100], 'extension', 'Relative humidity of the cabin air.'),
    signal('Vehicle.Cabin.HVAC.Station.Row1.Driver.Temperature', 'degC', 'float', [10, 35], 'vss', 'Cabin temperature the driver set the climate control to.'),
    signal('Vehicle.EcuAi.Cabin.Co2', 'ppm', 'float', [0, 10000], 'extension', 'CO2 concentration of the cabin air.'),
  ];
  // VSS names seats by row and position; on the reference (left-hand drive) vehicle the driver's side is the left.
  for (const s of CATALOG_SEATS) out.push(flag(`Vehicle.Cabin.Seat.${s}.IsOccupied`, 'vss', `1 when the ${s} seat is occupied.`));
  for (const s of CATALOG_SEATS) out.push(flag(`Vehicle.Cabin.Seat.${s}.IsBelted`, 'vss', `1 when the ${s} seat belt is fastened.`));
  return out;
}

/** Every catalog signal, grouped by subject; names are unique. */
export const VEHICLE_CATALOG: readonly CatalogSignal[] = Object.freeze([...motion(), ...radar(), ...chassis(), ...environment(), ...cockpit(), ...battery(), ...cabin()]);

const BY_NAME: ReadonlyMap<string, CatalogSignal> = new Map(VEHICLE_CATALOG.map((s) => [s.name, s]));

/** The catalog signal of this name, or undefined. */
export function catalogSignal(name: string): CatalogSignal | undefined {
  return BY_NAME.get(name);
}

const NAMES: readonly string[] = VEHICLE_CATALOG.map((s) => s.name);

/** The catalog name nearest to a misspelt one, when it is near enough to be a slip. */
export function nearestCatalogName(name: string): string | undefined {
  return nearestKey(name, NAMES);
}
