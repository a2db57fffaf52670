/**
 * The profile a run and a case use when they name none: ASSA, the primary protocol (seed 003).
 * Write this constant, never the string, wherever a default profile is meant.
 */
export const DEFAULT_PROFILE = 'assa';
