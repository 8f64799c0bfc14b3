import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { BackboneConfig } from '#config';
import { CustomerErasure, type ErasureAnswer } from '#journey-read';
import { BACKBONE_CONFIG, ApiOperation, RequiresAccess, principalOf, readJsonBody } from '#nest-backbone';
import { ERASE_CUSTOMER } from './journey-api-operations';
import { JourneyStreamHub } from './journey-stream-hub';

/** A customer's right to erasure (`privacy:erase`): see `CustomerErasure`. */
@Controller('v1')
export class PrivacyController {
  constructor(
    private readonly erasure: CustomerErasure,
    private readonly streams: JourneyStreamHub,
    @Inject(BACKBONE_CONFIG) private readonly config: BackboneConfig,
  ) {}

  @Post('customers/:customerId/erasure')
  @RequiresAccess('privacy:erase')
  @ApiOperation(ERASE_CUSTOMER)
  @HttpCode(202)
  async erase(@Param('customerId') customerId: string, @Req() request: FastifyRequest): Promise<ErasureAnswer> {
    const body = await readJsonBody(request.raw, this.config.http.maxBodyBytes);
    const reason = body !== null && typeof body === 'object' ? (body as { reason?: unknown }).reason : undefined;
    const answer = await this.erasure.erase({
      customerId,
      reason,
      requestedBy: principalOf(request)?.credential ?? 'anonymous',
    });
    // This process's streams end now; other processes' when their projector drops the view.
    this.streams.endCustomer(customerId);
    return answer;
  }
}
