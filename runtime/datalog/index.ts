/** Trigger-based data snippets: a bounded ring of raw frames, triggers on results and events, sinks. */
export { FrameRing, frameCost, type FrameRingOptions, type FrameRingStats, type RingEntry } from './frame-ring.js';
export {
  builtinTriggers,
  degradeTrigger,
  edgeTrigger,
  fallbackTrigger,
  type SnippetTrigger,
  type TriggerDomain,
  type TriggerHit,
} from './triggers.js';
export { SNIPPET_PRIORITY, SnippetRecorder, type CapturedFrame, type CapturedSignal, type RecorderStats, type SnippetCapture, type SnippetRecorderOptions } from './recorder.js';
export { folderSnippetSink, outboxSnippetSink, snippetFileName, snippetJson, toDataSnippet } from './sinks.js';
export { recorderFromConfig, storeSignals, type SignalSource } from './from-config.js';
