export {
  DEFAULT_MAIL_MAX_BYTES,
  mailTransportConfig,
  mailTransportOf,
  mailTransportSchema,
  type MailTransport,
  type MailTransportConfig,
  type SmtpRelay,
} from './config';
export { smtpFailure, type SmtpFailure } from './failure';
export { messageIdFor, sendDocumentMail, type DocumentMail, type SentMail } from './send';
export { documentMailOf, documentTitle } from './document-mail';
