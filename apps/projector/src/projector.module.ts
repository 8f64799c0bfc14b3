import { Module } from '@nestjs/common';
import { ProjectorService } from './projector.service';
import { ViewsTopicService } from './views-topic.service';
import { WebhookDeliveryService } from './webhook-delivery.service';

/** The projections, and what is pushed from them: webhooks and (on Kafka, with VIEWS_TOPIC) the views topic. */
@Module({ providers: [ProjectorService, WebhookDeliveryService, ViewsTopicService], exports: [ProjectorService] })
export class ProjectorModule {}
