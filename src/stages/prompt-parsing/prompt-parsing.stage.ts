import { Injectable } from '@nestjs/common';
import type { PromptParsingInput } from '@app/contracts';
import { PromptPlanner, type ProviderContext } from '../../providers/ports';
import type { StageHandler } from '../stage-handler';

/** Stage prompt_parsing: the request becomes an ad plan (seed 001, "Prompt Parser Service"). */
@Injectable()
export class PromptParsingStage implements StageHandler<'prompt_parsing'> {
  readonly stage = 'prompt_parsing' as const;
  constructor(private readonly planner: PromptPlanner) {}
  get providerName(): string {
    return this.planner.name;
  }
  run(input: PromptParsingInput, ctx: ProviderContext) {
    return this.planner.plan(input, ctx);
  }
}
