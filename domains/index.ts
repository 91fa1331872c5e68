/** Every vehicle domain the runtime serves, by name. */
import type { DomainName } from '../runtime/config.js';
import type { DomainDefinition } from '../runtime/service/domain.js';
import { adasDomain } from './adas/index.js';
import { bodyDomain } from './body/index.js';
import { chassisDomain } from './chassis/index.js';
import { cockpitDomain } from './cockpit/index.js';
import { powertrainDomain } from './powertrain/index.js';

export { adasDomain, bodyDomain, chassisDomain, cockpitDomain, powertrainDomain };
export type { AdasResult } from './adas/index.js';
export type { ChassisResult } from './chassis/index.js';
export type { PowertrainResult } from './powertrain/index.js';
export type { CockpitResult } from './cockpit/index.js';
export type { BodyResult } from './body/index.js';
export type { AdasLabel } from './adas/label.js';
export type { ChassisLabel } from './chassis/label.js';
export type { PowertrainLabel } from './powertrain/label.js';
export type { CockpitLabel } from './cockpit/label.js';
export type { BodyLabel } from './body/label.js';

// The table erases each domain's result and label types: the framework treats them opaquely.
// Output protection (counter, CRC) is the DBC's: the engine seals whatever message declares it.
export const DOMAINS: Readonly<Record<DomainName, DomainDefinition>> = Object.freeze({
  adas: adasDomain as unknown as DomainDefinition,
  chassis: chassisDomain as unknown as DomainDefinition,
  powertrain: powertrainDomain as unknown as DomainDefinition,
  cockpit: cockpitDomain as unknown as DomainDefinition,
  body: bodyDomain as unknown as DomainDefinition,
});
