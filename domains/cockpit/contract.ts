/** The cockpit model's contract: the 12 entries `cockpitFeatures` writes and the 3 level probabilities `interpret` reads. */
import type { ModelContract } from '../../runtime/service/model-contract.js';

export const COCKPIT_MODEL_CONTRACT: ModelContract = {
  features: [
    { name: 'perclos', unit: '1', range: [0, 1], description: 'share of face rows with the eyes closed (opening below 20 %)' },
    { name: 'eye_opening', unit: '100 %', description: 'mean eye opening over open-eyed rows' },
    { name: 'blink_rate', unit: '30 /min', range: [0, 5], description: 'closures per minute of face time' },
    { name: 'mean_closure', unit: 's', range: [0, 5], description: 'mean duration of a closure' },
    { name: 'longest_closure', unit: '3 s', range: [0, 5], description: 'longest closure' },
    { name: 'head_pitch', unit: '10 deg', range: [-3, 3], description: 'mean head pitch over open-eyed rows (positive: down)' },
    { name: 'head_pitch_sd', unit: '5 deg', range: [0, 3], description: 'its standard deviation' },
    { name: 'gaze_on_road', unit: '1', range: [0, 1], description: 'share of face rows with the gaze on the road' },
    { name: 'face_share', unit: '1', range: [0, 1], description: 'share of the 30 s window with a face detected' },
    { name: 'steering_reversals', unit: '30 /min', range: [0, 5], description: 'steering direction changes larger than 0.5 deg per minute' },
    { name: 'lane_offset_sd', unit: '0.3 m', range: [0, 5], description: 'standard deviation of the lane offset' },
    { name: 'nod_share', unit: '1', range: [0, 1], description: 'share of face rows with the head pitched down more than 10 deg' },
  ],
  outputs: [
    { name: 'p_alert', unit: '1', meaning: 'probability the driver is alert (level 0)' },
    { name: 'p_drowsy', unit: '1', meaning: 'probability the driver is drowsy (level 1)' },
    { name: 'p_very_drowsy', unit: '1', meaning: 'probability the driver is very drowsy (level 2)' },
  ],
  interpretation: 'the largest of outputs 0..2 is the drowsiness level and its value, clamped to 0..1, the confidence',
};
