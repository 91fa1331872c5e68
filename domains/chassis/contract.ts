/** The chassis model's contract: the 16 entries `chassisFeatures` writes and the 4 class probabilities `interpret` reads. */
import type { ModelContract } from '../../runtime/service/model-contract.js';

export const CHASSIS_MODEL_CONTRACT: ModelContract = {
  features: [
    { name: 'slip_rear', unit: '%', range: [-10, 10], description: 'mean slip of the rear (driven) wheels against the vehicle speed, over rows above 10 km/h' },
    { name: 'slip_front', unit: '%', range: [-10, 10], description: 'the same for the front wheels' },
    { name: 'slip_rear_sd', unit: '%', range: [0, 10], description: 'standard deviation of the rear slip' },
    { name: 'friction_used', unit: '0.1 μ', range: [-5, 5], description: 'mean friction the motor torque asks of the rear axle' },
    { name: 'slip_stiffness', unit: 'log1p / 3', range: [0, 3], description: 'log(1 + friction per unit rear slip) / 3, fitted over driving rows; 0 without excitation' },
    { name: 'stiffness_known', unit: '1', range: [0, 1], description: '1 when the slip stiffness could be fitted' },
    { name: 'abs_share', unit: '1', range: [0, 1], description: 'share of the window with the ABS regulating' },
    { name: 'abs_decel', unit: 'g', range: [0, 1.5], description: 'largest deceleration while the ABS regulated (the peak friction); 0 without ABS' },
    { name: 'mean_abs_long_accel', unit: 'g', description: 'mean absolute longitudinal acceleration' },
    { name: 'peak_lat_accel', unit: 'g', description: 'largest absolute lateral acceleration' },
    { name: 'air_temperature', unit: '10 °C', range: [-4, 6], description: 'outside air temperature, newest' },
    { name: 'rain', unit: '1', description: 'rain sensor intensity, newest' },
    { name: 'wiper', unit: '1/3', description: 'wiper stage (0..3) over 3, newest' },
    { name: 'lane_quality', unit: '1/3', description: "lane camera's quality (0..3), mean, over 3" },
    { name: 'speed', unit: '100 km/h', description: 'vehicle speed, newest' },
    { name: 'brake_pressure', unit: '50 bar', range: [0, 5], description: 'mean brake pressure' },
  ],
  outputs: [
    { name: 'p_dry', unit: '1', meaning: 'probability the road is dry asphalt' },
    { name: 'p_wet', unit: '1', meaning: 'probability it is wet' },
    { name: 'p_snow', unit: '1', meaning: 'probability it is snow' },
    { name: 'p_ice', unit: '1', meaning: 'probability it is ice' },
  ],
  interpretation: 'the largest of outputs 0..3 is the friction class (0 dry, 1 wet, 2 snow, 3 ice) and its value the confidence; μ is the outputs weighted by 0.92, 0.6, 0.3, 0.1',
};
