import { Module, type DynamicModule } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { JourneyConsumersModule } from '#nest-backbone';
import { CustomerMailer, MAIL_TRANSPORT, NOTIFIER_SETTINGS } from './customer-mailer';
import type { NotifierSettings } from './notifier-settings';

@Module({})
export class NotifierModule {
  static forRoot(settings: NotifierSettings): DynamicModule {
    return {
      module: NotifierModule,
      imports: [JourneyConsumersModule.forRoot()],
      providers: [
        { provide: NOTIFIER_SETTINGS, useValue: settings },
        // nodemailer: SMTP with STARTTLS, auth and pooling, from the URL (`?pool=true`).
        { provide: MAIL_TRANSPORT, useFactory: () => createTransport(settings.smtpUrl) },
        CustomerMailer,
      ],
    };
  }
}
