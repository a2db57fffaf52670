/** The public library surface (pinned by src/index.test.ts). */
export { CcError, ccError, isCcError, ERROR_CODES } from './errors.js';
export type { ErrorCode, ExitCode } from './errors.js';
export type * from './profile/types.js';
export type * from './transport/types.js';
export { connect, WIRE_DIAGNOSTICS, wireDiagnostic, diagnosticOf } from './transport/index.js';
export type { WireCode } from './transport/index.js';
export { probe, formatProbe } from './transport/probe.js';
export type { ProbeResult, ProbeCheck, ProbeOptions, ProbeVerdict } from './transport/probe.js';
export { codecFor } from './codec/index.js';
export type { Codec, DecodeResult } from './codec/index.js';
export { parseDuration, formatDuration, parseSize } from './util/duration.js';
export { loadProfile, listProfiles } from './profile/load.js';
export { mintToken, createJwtVerifier, DEV_JWT_SECRET } from './auth/jwt.js';
export type { MintTokenOptions, JwtAlgorithm, VerificationKey, JwtVerifier, VerifyResult } from './auth/jwt.js';
export { startReferenceServer } from '../reference-server/server.js';
export type { RunningServer, ServerUrls, ServerStats, ReferenceServerOptions } from '../reference-server/server.js';
export { main } from './cli/main.js';
