import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { BackboneConfig } from '#config';
import { BackboneError } from '#errors';
import type { JourneyLog } from '#journey-log';
import { BACKBONE_CONFIG, JOURNEY_LOG, ApiOperation, RequiresAccess, readJsonBody } from '#nest-backbone';
import { CREATE_WEBHOOK, DELETE_WEBHOOK, LIST_WEBHOOKS, READ_WEBHOOK } from './journey-api-operations';
import type { WebhookSubscription } from '#schemas';
import { WebhookSubscriptions } from '#webhooks';

/**
 * Webhook subscriptions (`admin`): made here or in `WEBHOOKS_FILE`, delivered by the projector (`WebhookDispatcher`).
 */
@Controller('v1')
export class WebhooksController {
  constructor(
    private readonly subscriptions: WebhookSubscriptions,
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    @Inject(BACKBONE_CONFIG) private readonly config: BackboneConfig,
  ) {}

  /** 201 with the secret (shown this once); deliveries start with the events appended after this answer. */
  @Post('webhooks')
  @RequiresAccess('admin')
  @ApiOperation(CREATE_WEBHOOK)
  @HttpCode(201)
  async create(@Req() request: FastifyRequest): Promise<WebhookSubscription & { secret: string }> {
    const body = await readJsonBody(request.raw, this.config.http.maxBodyBytes);
    return this.subscriptions.create(body, await this.log.head());
  }

  @Get('webhooks')
  @RequiresAccess('admin')
  @ApiOperation(LIST_WEBHOOKS)
  async list(): Promise<{ subscriptions: WebhookSubscription[] }> {
    return { subscriptions: await this.subscriptions.list() };
  }

  @Get('webhooks/:id')
  @RequiresAccess('admin')
  @ApiOperation(READ_WEBHOOK)
  async get(@Param('id') id: string): Promise<WebhookSubscription> {
    const found = await this.subscriptions.get(id);
    if (!found) throw new BackboneError('not_found', `no webhook subscription ${id}`);
    return found;
  }

  @Delete('webhooks/:id')
  @RequiresAccess('admin')
  @ApiOperation(DELETE_WEBHOOK)
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    await this.subscriptions.remove(id);
  }
}
