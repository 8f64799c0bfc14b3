import { Module } from '@nestjs/common';
import { ProjectorService } from './projector.service';
import { WebhookDeliveryService } from './webhook-delivery.service';

@Module({ providers: [ProjectorService, WebhookDeliveryService], exports: [ProjectorService] })
export class ProjectorModule {}
