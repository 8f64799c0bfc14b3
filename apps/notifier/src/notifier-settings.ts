import { z } from 'zod';
import { BackboneError } from '#errors';

const Settings = z.object({
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL (smtp://user:pass@host:587)' })
    .refine((url) => URL.canParse(url) && new URL(url).hostname !== '', 'must name a host'),
  NOTIFIER_FROM: z
    .string()
    .min(3)
    .max(300)
    .refine((from) => !/[\r\n]/.test(from), 'must be one line')
    .default('Customer care <care@journey-backbone.invalid>'),
  /** The domain of the Message-IDs the notifier makes (one per event: how a mailbox recognises a resend). */
  NOTIFIER_MESSAGE_ID_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,200}$/, 'must be a domain name')
    .default('notifier.journey-backbone.invalid'),
});

export interface NotifierSettings {
  smtpUrl: string;
  from: string;
  messageIdDomain: string;
}

/** The notifier's settings from the environment; `configuration_invalid` naming each wrong variable. */
export function notifierSettings(env: NodeJS.ProcessEnv): NotifierSettings {
  const given = Object.fromEntries(
    Object.keys(Settings.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])),
  );
  const parsed = Settings.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      // The SMTP URL may hold a password: named, never repeated.
      const shown = name === 'SMTP_URL' ? (env[name] ? 'given' : 'missing') : JSON.stringify(env[name]);
      return `${name} (${shown}): ${i.message}`;
    });
    throw new BackboneError('configuration_invalid', `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const s = parsed.data;
  return { smtpUrl: s.SMTP_URL, from: s.NOTIFIER_FROM, messageIdDomain: s.NOTIFIER_MESSAGE_ID_DOMAIN };
}
