export type EmailStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'kept';

export interface EmailRecord {
  id: string;
  eventId: string;
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  status: EmailStatus;
  attempts: number;
  lastError: string | null;
  messageId: string | null;
  sentAt: Date | null;
  createdAt: Date;
}
