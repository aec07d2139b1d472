import nodemailer from 'nodemailer';
import type { AlertEmail } from './alert-email.ts';
import type { AttemptOutcome } from './retry-policy.ts';

/** SMTP as a tier's configuration names it (`SMTP_URL`, `SMTP_FROM`). */
export interface SmtpSettings {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  url: string;
  from: string;
  /** One message's whole budget. Default 10 s. */
  timeoutMs?: number | undefined;
}

/** A file sent with an email (a scheduled report). */
export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

/** An alert's email, or any other the tier sends (a scheduled report, with its file attached). */
export type MailMessage =
  AlertEmail | { to: string[]; subject: string; text: string; attachments: MailAttachment[] };

/** Sends email through one SMTP server; shared by the notifier and scheduled reports. */
export interface Mailer {
  /** Sends once and says how it ended; never throws. */
  send(email: MailMessage): Promise<AttemptOutcome>;
  /** How long one send may take: connecting, the greeting and the exchange each have the timeout. */
  readonly longestSendMs: number;
  close(): void;
}

export function createMailer(settings: SmtpSettings): Mailer {
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport(
    { url: settings.url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs },
    { from: settings.from },
  );
  return {
    longestSendMs: 3 * timeoutMs,
    async send(email) {
      try {
        await transport.sendMail(
          'attachments' in email
            ? email
            : {
                to: email.to,
                subject: email.subject,
                text: email.text,
                html: email.html,
                messageId: email.messageId,
                references: email.references,
                ...(email.references !== email.messageId && { inReplyTo: email.references }),
              },
        );
        return { kind: 'answered', status: 200 };
      } catch (error) {
        return smtpOutcome(error as Error & { responseCode?: number });
      }
    },
    close: () => transport.close(),
  };
}

/** A 5xx reply is permanent (sending it again cannot succeed); anything else is tried again. */
function smtpOutcome(error: Error & { responseCode?: number }): AttemptOutcome {
  const code = error.responseCode;
  const message = code === undefined ? error.message : `SMTP ${code}: ${error.message}`;
  return code !== undefined && code >= 500
    ? { kind: 'unsendable', error: message }
    : { kind: 'unanswered', error: message };
}
