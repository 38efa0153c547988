import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateWebhookDto, ListDeliveriesQueryDto, RecoverDto, UpdateWebhookDto } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

/** Registered webhook endpoints and their deliveries (docs/events.md, "Webhooks"). */
@ApiTags('webhooks')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Register an endpoint; the answer carries its signing secret (shown once).' })
  create(@Body() body: CreateWebhookDto) {
    return this.webhooks.create(body);
  }

  @Get()
  list() {
    return this.webhooks.list();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change url, event_types, enabled; rotate_secret adds a secret and keeps earlier ones valid for a while.' })
  update(@Param('id') id: string, @Body() body: UpdateWebhookDto) {
    return this.webhooks.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries, newest first, each with every attempt (status, latency, response code and excerpt).' })
  deliveries(@Param('id') id: string, @Query() q: ListDeliveriesQueryDto) {
    return this.webhooks.deliveries(id, q);
  }

  @Post(':id/deliveries/:delivery_id/resend')
  @HttpCode(202)
  resend(@Param('id') id: string, @Param('delivery_id') deliveryId: string) {
    return this.webhooks.resend(id, deliveryId);
  }

  @Post(':id/recover')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-send every failed delivery of events since `since`.' })
  recover(@Param('id') id: string, @Body() body: RecoverDto) {
    return this.webhooks.recover(id, body.since);
  }
}
