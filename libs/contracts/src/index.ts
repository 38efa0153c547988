/**
 * Public contracts of the ad orchestrator: stage names, subjects, event schemas and shared types.
 * No Nest imports here: other services may depend on this folder alone.
 */
export * from './ad-assets';
export * from './ad-plan';
export * from './asset-mentions';
export * from './ad-request';
export * from './errors';
export * from './events';
export * from './exports';
export * from './job-status';
export * from './music-style';
export * from './plan-repair';
export * from './stage-io';
export * from './stages';
export * from './subjects';
export * from './variation';
