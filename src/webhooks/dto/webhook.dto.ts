import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';

const EVENT_TYPE = /^[a-z_]+(\.[a-z_]+)*(\.\*)?$|^\*$/;
const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_host: true };

/** Body of `POST /api/v1/webhooks` (docs/events.md, "Registered endpoints"). */
export class CreateWebhookDto {
  @ApiProperty({ example: 'https://hooks.example.com/ads', description: 'https unless WEBHOOK_ALLOW_HTTP=true' })
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ example: ['job.completed', 'job.failed'], description: 'Event types to receive (`job.*` for a family); all when absent' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(EVENT_TYPE, { each: true, message: 'event_types entries look like job.completed or job.*' })
  event_types?: string[] | null;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ description: 'Own secret `whsec_<base64>`; one is generated when absent' })
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/=]{16,}$/, { message: 'secret must be whsec_ followed by base64' })
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** Body of `PATCH /api/v1/webhooks/{id}`. */
export class UpdateWebhookDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' })
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(EVENT_TYPE, { each: true, message: 'event_types entries look like job.completed or job.*' })
  event_types?: string[] | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ description: 'Re-enabling clears the failure streak' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ description: 'Add a new secret; earlier ones stay valid for previous_secret_ttl_seconds' })
  @IsOptional()
  @IsBoolean()
  rotate_secret?: boolean;

  @ApiPropertyOptional({ default: 86400, minimum: 0, maximum: 604800 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 3600)
  previous_secret_ttl_seconds?: number;
}

/** Query of `GET /api/v1/webhooks/{id}/deliveries`. */
export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'delivered', 'failed'])
  status?: 'pending' | 'delivered' | 'failed';

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

/** Body of `POST /api/v1/webhooks/{id}/recover`. */
export class RecoverDto {
  @ApiProperty({ example: '2026-12-01T00:00:00Z', description: 'Re-send the failed deliveries of events since then' })
  @IsISO8601({ strict: true })
  since!: string;
}
