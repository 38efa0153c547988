import type { StageInputs, StageName, StageOutputs } from '@app/contracts';
import type { ProviderContext, ProviderResult } from '../providers/ports';
import type { CacheKeyParts } from './stage-cache-key';

/**
 * One stage's handler: maps a stage request's input onto its provider port. Stateless and idempotent; the
 * stage runner around it owns delivery, leases, heartbeats, cancellation, metrics and result events.
 */
export interface StageHandler<S extends StageName = StageName> {
  readonly stage: S;
  /** The configured provider's name (label for metrics and the `provider` field of results). */
  readonly providerName: string;
  run(input: StageInputs[S], ctx: ProviderContext): Promise<ProviderResult<StageOutputs[S]>>;
  /**
   * What determines this stage's output for `input` with the configured provider: the stage cache keys the
   * output by its hash (docs/design/cache.md). Return null for an input whose output must not be reused; a
   * handler without this method is never cached.
   */
  cacheKeyParts?(input: StageInputs[S]): CacheKeyParts | null;
}

/** Injection token of the list of stage handlers. The runner refuses to start unless each stage has exactly one. */
export const STAGE_HANDLERS = Symbol('STAGE_HANDLERS');
