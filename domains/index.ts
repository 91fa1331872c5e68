/** Every vehicle domain the runtime serves: the table the runtime derives its domain facts from. */
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

const TYPED = [adasDomain, chassisDomain, powertrainDomain, cockpitDomain, bodyDomain] as const;

/** A shipped domain's name, as its definition spells it. */
export type DomainName = (typeof TYPED)[number]['domain'];

/** The shipped domains in table order (the order of the summary, the labels and the services). */
export const DOMAIN_NAMES: readonly DomainName[] = Object.freeze(TYPED.map((d) => d.domain));

// The table erases each domain's result and label types: the framework treats them opaquely.
// Output protection (counter, CRC) is the DBC's: the engine seals whatever message declares it.
/** A shipped definition with its result and label types erased and its name kept. */
export type ShippedDomain = DomainDefinition<unknown, unknown, DomainName>;

/** The shipped definitions, in table order: what the daemon, replay and the config schema are handed. */
export const DOMAIN_LIST: readonly ShippedDomain[] = Object.freeze(TYPED.map((d) => d as unknown as ShippedDomain));

/** The shipped definitions by name. */
export const DOMAINS: Readonly<Record<DomainName, ShippedDomain>> = Object.freeze(
  Object.fromEntries(DOMAIN_LIST.map((d) => [d.domain, d])) as Record<DomainName, ShippedDomain>,
);
