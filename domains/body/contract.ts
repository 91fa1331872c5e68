/** The body model's contract: the 12 entries `bodyFeatures` writes and the 2 scaled targets `interpret` reads. */
import type { ModelContract } from '../../runtime/service/model-contract.js';

export const BODY_MODEL_CONTRACT: ModelContract = {
  features: [
    { name: 'setpoint', unit: '3 °C from 22 °C', description: "user's HVAC set-point, newest: (°C − 22) / 3" },
    { name: 'air_temperature', unit: '10 °C from 22 °C', range: [-4, 4], description: 'outside air temperature: (°C − 22) / 10' },
    { name: 'sun_load', unit: '500 W/m²', description: 'sun load' },
    { name: 'humidity', unit: '20 % from 50 %', description: 'cabin humidity: (% − 50) / 20' },
    { name: 'seats_occupied', unit: '5 seats', range: [0, 1], description: 'seat mats pressed, over 5' },
    { name: 'belts_buckled', unit: '5 seats', range: [0, 1], description: 'belts buckled, over 5' },
    { name: 'seats_and_belts', unit: '5 seats', range: [0, 1], description: 'seats with both mat and belt, over 5' },
    { name: 'co2_rate', unit: 'ppm/s', range: [-5, 5], description: 'CO2 change per second since the window first held data' },
    { name: 'co2', unit: '1000 ppm', range: [0, 5], description: 'cabin CO2, newest' },
    { name: 'cabin_minus_setpoint', unit: '5 °C', range: [-5, 5], description: 'cabin temperature minus the set-point' },
    { name: 'passenger_seat', unit: '1', range: [0, 1], description: "passenger seat mat pressed" },
    { name: 'window_filled', unit: '120 s', range: [0, 1], description: 'how much of the 2 min window holds data' },
  ],
  outputs: [
    { name: 'setpoint_scaled', unit: '3 °C from 22 °C', meaning: 'comfortable set-point: (°C − 22) / 3' },
    { name: 'occupancy_scaled', unit: '1.5 people from 2.5', meaning: 'occupants: (n − 2.5) / 1.5' },
  ],
  interpretation: 'set-point = output 0 × 3 + 22 °C, clamped to 15..32 and rounded to 0.5; occupants = output 1 × 1.5 + 2.5, clamped to 0..5 and rounded',
};
