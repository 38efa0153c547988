import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AppError } from '../common/app-error';
import { Idempotent, RateLimit, Roles } from './access.decorators';
import { ApiKeysService } from './api-keys.service';
import { CurrentPrincipal, type Principal } from './principal';
import { BudgetService } from './budget.service';

const OWNER_ID = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,99}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Body of `POST /api/v1/admin/api-keys`. */
export class CreateApiKeyDto {
  @ApiProperty({ example: 'acme', description: 'Client (tenant) id: letters, digits, . _ @ : -, at most 100' })
  @IsString()
  @Matches(OWNER_ID, { message: 'clientId must be 1-100 letters, digits or . _ @ : -' })
  clientId!: string;

  @ApiPropertyOptional({ example: 'alice' })
  @IsOptional()
  @IsString()
  @Matches(OWNER_ID, { message: 'userId must be 1-100 letters, digits or . _ @ : -' })
  userId?: string;

  @ApiProperty({ enum: ['user', 'admin'] })
  @IsIn(['user', 'admin'])
  role!: 'user' | 'admin';
}

/** Query of `GET /api/v2/usage`. */
export class UsageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 366, default: 30 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(366)
  days?: number;

  @ApiPropertyOptional({ description: 'Admins only: whose usage' })
  @IsOptional()
  @IsString()
  @Matches(OWNER_ID)
  client_id?: string;
}

/** Admin endpoints for API keys (docs/security.md, "Principals"). Admin role always required, whatever AUTH_MODE. */
@ApiTags('admin')
@Controller('api/v1/admin')
@Roles('admin')
@RateLimit('admin')
export class AdminController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('api-keys')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({ summary: 'Create an API key; the key is in this answer only.' })
  create(@Body() body: CreateApiKeyDto) {
    return this.keys.create({ clientId: body.clientId, userId: body.userId ?? null, role: body.role });
  }

  @Delete('api-keys/:key_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key at once.' })
  revoke(@Param('key_id') keyId: string) {
    if (!UUID.test(keyId)) throw new AppError('INVALID_INPUT', 'key_id must be a UUID', { details: { fields: { key_id: ['must be a UUID'] } } });
    return this.keys.revoke(keyId);
  }
}

/** `GET /api/v2/usage`: the caller's own spend by day (docs/security.md, "Budgets"). */
@ApiTags('usage')
@Controller('api/v2')
export class UsageController {
  constructor(private readonly budget: BudgetService) {}

  @Get('usage')
  @RateLimit('poll')
  @ApiOperation({ summary: "The caller's spend by UTC day (client and user totals, USD) and the client's daily budget." })
  usage(@Query() q: UsageQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.budget.usage(principal, q.days ?? 30, q.client_id);
  }
}
