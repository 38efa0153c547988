import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { ASPECT_RATIOS, ASSET_ROLES, type AssetRole, EXPORT_FORMATS, MAX_DURATION_SECONDS, MAX_PROMPT_CHARS, MIN_DURATION_SECONDS, MIN_PROMPT_CHARS, PLATFORMS, type AspectRatio, type Platform } from '@app/contracts';

const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;


/** v2 brand guidelines (camelCase names of docs/api.md). */
export class V2BrandGuidelinesDto {
  @ApiPropertyOptional({ example: '#D4AF37' })
  @IsOptional()
  @IsString()
  @Matches(HEX_COLOR, { message: 'primaryColor must be a hex colour such as #D4AF37' })
  primaryColor?: string;

  @ApiPropertyOptional({ example: '#000000' })
  @IsOptional()
  @IsString()
  @Matches(HEX_COLOR, { message: 'secondaryColor must be a hex colour such as #000000' })
  secondaryColor?: string;

  @ApiPropertyOptional({ example: 'luxury minimalist', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  style?: string;

  @ApiPropertyOptional({ description: 'Also show the job\'s logo asset as a small corner watermark inside the safe zone on every scene (needs an asset with role logo)' })
  @IsOptional()
  @IsBoolean()
  logoWatermark?: boolean;
}

/** Music of a v2 job: style, bed volume 0–1, mute. */
export class AudioControlsDto {
  @ApiPropertyOptional({ example: 'upbeat electronic', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  musicStyle?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.3 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  musicVolume?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  mute?: boolean;
}

/** An uploaded asset used in the ad, by id, with its role (inferred when absent) (docs/api.md, "Assets in the ad"). */
export class AssetRefDto {
  @ApiProperty({ example: 'asset_123', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  id!: string;

  @ApiPropertyOptional({ enum: ASSET_ROLES, example: 'logo', description: 'Inferred from the asset when absent' })
  @IsOptional()
  @IsIn(ASSET_ROLES)
  role?: AssetRole;

  @ApiPropertyOptional({ minimum: 1, maximum: 20, description: 'Footage only: the 1-based scene this footage plays in' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  sceneNumber?: number;
}

/** Body of `POST /api/v2/generate` (docs/api.md, "POST /api/v2/generate"). */
export class V2GenerateDto {
  @ApiProperty({ minLength: MIN_PROMPT_CHARS, maxLength: MAX_PROMPT_CHARS, example: 'A 30 second TikTok ad for luxury watches with elegant gold aesthetics' })
  @IsString()
  @MinLength(MIN_PROMPT_CHARS)
  @MaxLength(MAX_PROMPT_CHARS)
  creativePrompt!: string;

  @ApiProperty({ minimum: MIN_DURATION_SECONDS, maximum: MAX_DURATION_SECONDS, example: 30, description: 'Seconds (15, 30 and 60 are the presets)' })
  @IsInt()
  @Min(MIN_DURATION_SECONDS)
  @Max(MAX_DURATION_SECONDS)
  duration!: number;

  @ApiPropertyOptional({ enum: PLATFORMS, description: 'Gives the default aspectRatio: tiktok and meta 9:16, youtube 16:9' })
  @IsOptional()
  @IsIn(PLATFORMS, { message: `platform must be one of ${PLATFORMS.join(', ')}` })
  platform?: Platform;

  @ApiPropertyOptional({ enum: ASPECT_RATIOS, description: 'Required unless platform gives it' })
  @ValidateIf((o: V2GenerateDto) => o.aspectRatio !== undefined || o.platform === undefined || o.platform === 'custom')
  @IsIn(ASPECT_RATIOS, { message: `aspectRatio must be one of ${ASPECT_RATIOS.join(', ')} (required unless platform is tiktok, meta or youtube)` })
  aspectRatio?: AspectRatio;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  videoName?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  campaignId?: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  clientId?: string;

  @ApiPropertyOptional({ type: [String], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  keywords?: string[];

  @ApiPropertyOptional({ type: [String], maxItems: 10, description: '`hd` selects the high-definition storyboard model' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  stylePresets?: string[];

  @ApiPropertyOptional({ type: V2BrandGuidelinesDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => V2BrandGuidelinesDto)
  brandGuidelines?: V2BrandGuidelinesDto;

  @ApiPropertyOptional({ type: AudioControlsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AudioControlsDto)
  audioControls?: AudioControlsDto;

  @ApiPropertyOptional({ enum: EXPORT_FORMATS, isArray: true })
  @IsOptional()
  @IsArray()
  @IsIn(EXPORT_FORMATS, { each: true, message: `exportFormats must contain only ${EXPORT_FORMATS.join(', ')}` })
  exportFormats?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 3, default: 1, description: 'Cuts rendered from the approved storyboard (clips made once; docs/api.md, "Variations")' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3)
  numberOfVariations?: number;

  @ApiPropertyOptional({ type: [AssetRefDto], maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AssetRefDto)
  assets?: AssetRefDto[];
}

/** Body of `POST /api/v2/jobs/{job_id}/render`. */
export class V2RenderDto {
  @ApiPropertyOptional({ minimum: 0, example: 5, description: 'Refuse (409, quote in details) when the render is quoted higher, USD' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  maxCostUsd?: number;
}

/** One scene edit of a refine. */
export class SceneEditDto {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  sceneNumber!: number;

  @ApiPropertyOptional({ minLength: 1, maxLength: 500 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  visualPrompt?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 80 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  onScreenText?: string;

  @ApiPropertyOptional({ minimum: 2, maximum: 20, description: 'Seconds; scene durations must still sum to the ad' })
  @IsOptional()
  @IsNumber()
  @Min(2)
  @Max(20)
  duration?: number;
}

/** Body of `POST /api/v2/jobs/{job_id}/refine` (docs/api.md). */
export class V2RefineDto {
  @ApiPropertyOptional({ minLength: MIN_PROMPT_CHARS, maxLength: MAX_PROMPT_CHARS })
  @IsOptional()
  @IsString()
  @MinLength(MIN_PROMPT_CHARS)
  @MaxLength(MAX_PROMPT_CHARS)
  creativePrompt?: string;

  @ApiPropertyOptional({ type: [SceneEditDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => SceneEditDto)
  scenes?: SceneEditDto[];

  @ApiPropertyOptional({ type: [Number], description: 'Scene numbers to regenerate with a new seed' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(1, { each: true })
  regenerateScenes?: number[];
}
