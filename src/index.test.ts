import { describe, expect, it } from 'vitest';
import * as api from './index.js';

/**
 * The public surface is a promise to library users: adding an export is a decision, removing
 * one is a breaking change. Change this list on purpose, never to make the test pass.
 */
describe('the public library surface', () => {
  it('exports exactly the pinned names', () => {
    expect(Object.keys(api).sort()).toEqual(["CI_TIMERS","CcError","DEV_JWT_SECRET","ERROR_CODES","IntegrityTracker","LOAD_SECTION_SCHEMA","MetricsStore","REPORT_VERSION","Recorder","Scheduler","Snapshotter","VERDICT_ORDER","WIRE_DIAGNOSTICS","applyOverrides","binarySearch","capacityExitCode","ccError","codecFor","compareReports","connect","createJwtVerifier","createReporter","decodeHistogram","defaultWorkers","diagnosticOf","encodeHistogram","evaluateThresholds","fanOut","formatCapacitySummary","formatComparison","formatDuration","formatLoadSummary","formatProbe","getValidator","integrityMarker","isCcError","kneeOf","linearLoads","linearSearch","listProfiles","loadCatalogue","loadProfile","loadScenarioFile","matchMessage","mergeReports","mergeSummaries","mintToken","mintVariant","parseDuration","parseLoadSection","parseScenarios","parseSize","parseThreshold","probe","readIntegrityMarker","readReport","redact","redactReport","redactText","registerReporter","renderConsole","renderHtml","renderJUnit","renderJson","renderMarkdown","reporterNames","resolveSigningKey","runCapacity","runCase","runLoad","runScenarios","runSuite","startEmbeddedTarget","startReferenceServer","summariseHistogram","summariseRun","timetable","toSeries","transportDefaults","urlTarget","validateReport","warmValidator","wireDiagnostic","worstVerdict","writeReports"]);
  });

  it('exposes the error registry but not the command line (bin/chat-conform.js runs src/cli/main.ts)', () => {
    expect('main' in api).toBe(false);
    expect(api.ERROR_CODES.CC_ERR_USAGE.exit).toBe(2);
  });
});
