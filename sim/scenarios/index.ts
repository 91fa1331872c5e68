/** The scenario registry: every scenario the simulator and `ecu-ai sim` know, by name. */
import { batteryCellFault } from './battery-cell-fault.js';
import { cutInEmergencyBrake } from './cut-in-emergency-brake.js';
import { drowsyNight } from './drowsy-night.js';
import { highwayCruise } from './highway-cruise.js';
import { hotDayCabin } from './hot-day-cabin.js';
import { icyRoad } from './icy-road.js';
import { makeMixedDrive } from './mixed-drive.js';
import { stopAndGo } from './stop-and-go.js';
import type { Scenario } from './types.js';
import { wetRoad } from './wet-road.js';

export type { Scenario, ScenarioPlan } from './types.js';

const BASE: readonly Scenario[] = [highwayCruise, cutInEmergencyBrake, stopAndGo, wetRoad, icyRoad, drowsyNight, batteryCellFault, hotDayCabin];

export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map([...BASE, makeMixedDrive(BASE)].map((s) => [s.name, s]));

export const SCENARIO_NAMES: readonly string[] = [...SCENARIOS.keys()];
