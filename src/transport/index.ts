/** The transport layer's public surface. */
export { connect } from './connect.js';
export { parseTarget, type Target } from './target.js';
export { WIRE_DIAGNOSTICS, wireDiagnostic, timeoutDiagnostic, fromWsError, isWireCode, type WireCode } from './diagnostics.js';
export { diagnosticOf } from './connect-errors.js';
export { TranscriptRecorder } from './transcript.js';
export type * from './types.js';
export { transportDefaults, type TransportDefaults } from './profile-defaults.js';
export { probe, formatProbe, type ProbeResult, type ProbeCheck, type ProbeOptions, type ProbeVerdict } from './probe.js';
