/** Thermal and power: real sensors where present, deterministic models elsewhere. */
export { PROFILES, throttleSpeed, type PlatformProfile, type ProfileName } from './profiles.js';
export { ThermalModel, type ThermalParams } from './thermal-model.js';
export { modelPowerW } from './power-model.js';
export { SocModel, type SocModelOptions, type SocState } from './soc-model.js';
export { discoverSysfs, SysfsSensors, type SysfsSample, type SysfsSensorSet } from './sysfs.js';
export { createPlatform, type Platform, type PlatformOptions, type PlatformReading } from './platform.js';
