import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { MAX_BATCH_JOBS } from '@app/contracts';
import { GenerateAdDto, WebhookEventsField, WebhookUrlField } from './generate-ad.dto';

/**
 * Body of `POST /api/v1/batch` (docs/api.md, "Batches and variations"): 1–10 generate-ad bodies, each checked
 * exactly as `POST /api/v1/generate-ad` checks its body (errors name `requests.<n>.<field>`), and a webhook for
 * every job whose request names none.
 */
export class BatchDto {
  @ApiProperty({ type: [GenerateAdDto], minItems: 1, maxItems: MAX_BATCH_JOBS, description: `Generate-ad bodies; at most ${MAX_BATCH_JOBS} jobs in all (requests × their variations)` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_JOBS)
  @ValidateNested({ each: true })
  @Type(() => GenerateAdDto)
  requests!: GenerateAdDto[];

  @WebhookUrlField('Called with the events of every job of the batch whose request has no webhook_url of its own')
  webhook_url?: string;

  @WebhookEventsField()
  webhook_events?: string[];
}
