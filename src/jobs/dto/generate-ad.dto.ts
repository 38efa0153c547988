import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type, plainToInstance } from 'class-transformer';
import { validateSync, ArrayMaxSize, IsArray, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import {
  ASPECT_RATIOS,
  MAX_DURATION_SECONDS,
  MAX_PROMPT_CHARS,
  MIN_DURATION_SECONDS,
  MIN_PROMPT_CHARS,
  MAX_V1_VARIATIONS,
  type AdRequest,
  type AspectRatio,
} from '@app/contracts';
import { flattenValidationErrors } from '../../common/validation';

const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

/**
 * `webhook_url`: an http(s) URL of at most 2048 characters (docs/events.md, "Webhooks"). One definition for
 * every body that takes a webhook (generate-ad, batch), so they validate alike.
 * @param description what the URL is called with, for the OpenAPI document
 */
export function WebhookUrlField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example: 'https://hooks.example.com/ads', description }),
    IsOptional(),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'webhook_url must be an http(s) URL' }),
    MaxLength(2048),
  );
}

/** `webhook_events`: at most 50 event types like `job.completed` or `job.*` (docs/events.md, "Webhooks"). */
export function WebhookEventsField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ example: ['job.completed', 'job.failed'], description: 'Event types sent to webhook_url (`job.*` for all, the default)' }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(50),
    Matches(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$|^\*$/, { each: true, message: 'webhook_events entries look like job.completed or job.*' }),
  );
}

/** Brand guidelines (docs/api.md, "POST /api/v1/generate-ad": hex colours, style at most 100 characters). */
export class BrandGuidelinesDto {
  @ApiPropertyOptional({ example: '#D4AF37', description: 'Hex colour #RGB or #RRGGBB' })
  @IsOptional()
  @IsString()
  @Matches(HEX_COLOR, { message: 'primary_color must be a hex colour such as #D4AF37' })
  primary_color?: string;

  @ApiPropertyOptional({ example: '#000000', description: 'Hex colour #RGB or #RRGGBB' })
  @IsOptional()
  @IsString()
  @Matches(HEX_COLOR, { message: 'secondary_color must be a hex colour such as #000000' })
  secondary_color?: string;

  @ApiPropertyOptional({ example: 'luxury minimalist', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  style?: string;
}

/** Body of `POST /api/v1/generate-ad` (docs/api.md, "POST /api/v1/generate-ad"). */
export class GenerateAdDto {
  @ApiProperty({ minLength: MIN_PROMPT_CHARS, maxLength: MAX_PROMPT_CHARS, example: 'Create a 30 second Instagram ad for luxury watches with elegant gold aesthetics' })
  @IsString()
  @IsNotEmpty()
  @MinLength(MIN_PROMPT_CHARS)
  @MaxLength(MAX_PROMPT_CHARS)
  prompt!: string;

  @ApiProperty({ minimum: MIN_DURATION_SECONDS, maximum: MAX_DURATION_SECONDS, example: 30, description: 'Seconds' })
  @IsInt()
  @Min(MIN_DURATION_SECONDS)
  @Max(MAX_DURATION_SECONDS)
  duration!: number;

  @ApiProperty({ enum: ASPECT_RATIOS, example: '9:16' })
  @IsIn(ASPECT_RATIOS, { message: `aspect_ratio must be one of ${ASPECT_RATIOS.join(', ')}` })
  aspect_ratio!: AspectRatio;

  @ApiPropertyOptional({ type: BrandGuidelinesDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => BrandGuidelinesDto)
  brand_guidelines?: BrandGuidelinesDto | null;

  @WebhookUrlField("Called with this job's events, signed per Standard Webhooks (docs/events.md)")
  webhook_url?: string;

  @WebhookEventsField()
  webhook_events?: string[];

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_V1_VARIATIONS,
    default: 1,
    example: 2,
    description: 'Jobs made from this request, each drawing its own pictures, sharing a batch_id (docs/api.md, "Batches and variations")',
  })
  @IsOptional()
  @IsInt({ message: 'variations must be an integer' })
  @Min(1)
  @Max(MAX_V1_VARIATIONS)
  variations?: number;
}

/** Query of `GET /api/v1/jobs` (docs/api.md, "GET /api/v1/jobs"). */
export class ListJobsQueryDto {
  @ApiPropertyOptional({ enum: ['queued', 'processing', 'completed', 'failed', 'cancelled'] })
  @IsOptional()
  @IsIn(['queued', 'processing', 'completed', 'failed', 'cancelled'])
  status?: 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @ApiPropertyOptional({ maxLength: 200, description: 'Case-insensitive text the prompt contains' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

/**
 * Validates a request outside HTTP (the CLI) with the same rules as the API.
 * @returns `{field: [messages]}` when invalid, else null
 */
export function validateAdRequest(request: AdRequest): Record<string, string[]> | null {
  const errors = validateSync(plainToInstance(GenerateAdDto, request), { whitelist: true, forbidNonWhitelisted: true });
  return errors.length > 0 ? flattenValidationErrors(errors) : null;
}
