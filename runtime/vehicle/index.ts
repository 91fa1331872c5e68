/**
 * Bring your own vehicle: the catalog of signals the domains read, the unit table, vehicle profiles
 * that map the catalog onto one vehicle's DBC (or SOME/IP events), and their resolution.
 */
export type {
  CatalogSignal, CatalogValueType, DomainInput, ProfileProblem, ResolvedProfile, ResolvedSignal, SignalTransform,
} from './types.js';
export {
  CATALOG_BATTERY_CELLS, CATALOG_BATTERY_SENSORS, CATALOG_RADAR_OBJECTS, CATALOG_SEATS, VEHICLE_CATALOG, catalogSignal, nearestCatalogName,
} from './catalog.js';
export { UNITS, convert, findUnit, requireUnit, unitConversion, type Dimension, type UnitConversion, type UnitDefinition } from './units.js';
export {
  MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, compileExpression, evaluateExpression, expressionSignals, formatExpression, parseExpression,
  type BinaryOperator, type CompiledExpression, type Expression, type ExpressionFunction, type ExpressionInputs,
} from './expression.js';
export { ExpressionSyntaxError, IncompatibleUnitsError, ProfileDoesNotFitError, ProfileInvalidError, UnknownUnitError, formatProblem } from './errors.js';
export { MAPPING_KEYS, parseProfile, readProfile, type MappingKey, type ProfileMapping, type ProfileParse, type ProfileValue, type VehicleProfile } from './profile.js';
export { resolveProfile, someipMessageName, type ProfileResolution, type ResolveOptions } from './resolve.js';
export { loadProfileParts, loadVehicleProfile, type LoadProfileOptions, type ProfileParts } from './load.js';
