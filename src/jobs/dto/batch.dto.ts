import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsUrl, Matches, MaxLength, ValidateNested } from 'class-validator';
import { MAX_BATCH_JOBS } from '@app/contracts';
import { GenerateAdDto } from './generate-ad.dto';

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

  @ApiPropertyOptional({ example: 'https://hooks.example.com/ads', description: 'Called with the events of every job of the batch whose request has no webhook_url of its own' })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'webhook_url must be an http(s) URL' })
  @MaxLength(2048)
  webhook_url?: string;

  @ApiPropertyOptional({ example: ['job.completed', 'job.failed'], description: 'Event types sent to webhook_url (`job.*` for all, the default)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$|^\*$/, { each: true, message: 'webhook_events entries look like job.completed or job.*' })
  webhook_events?: string[];
}
