/**
 * notify — delivery of messages to people: Telegram (grammY, HTML or MarkdownV2 with escaping,
 * parts split under 4096 characters, per-chat pacing, `retry_after` honoured), Slack incoming
 * webhooks, and generic HMAC-signed webhooks; an outbox that records every delivery under an
 * idempotency key. Secrets (bot tokens, webhook URLs, signing keys) never appear in errors,
 * logs or records. Event routing to owners (issue 7) builds `NotifyChannel`s and calls `deliver`.
 */

export {
  type ChatRateLimit,
  type ChatRateLimiter,
  createChatRateLimiter,
  isGroupChat,
  TELEGRAM_CHAT_RATE,
} from './chat-rate-limiter.js';
export { NOTIFY_ERROR_CODES, NotifyError, type NotifyErrorCode, type RemoteAnswer } from './errors.js';
// Commonly used
export {
  escapeHtml,
  escapeMarkdownV2,
  escapeSlack,
  type Inline,
  messageText,
  type NotifyButton,
  type NotifyMessage,
  type ParseMode,
  renderMessage,
} from './message.js';
export {
  type DeliveryRecord,
  deliver,
  listDeliveries,
  type NotifyChannel,
  telegramChannel,
  webhookChannel,
} from './outbox.js';
export { listReports, uploadReport } from './reports.js';
export { DEFAULT_RETRY, type RetryDecision, type RetryPolicy, withRetries } from './retry.js';
export {
  addChannel,
  addSubscription,
  deleteSubscription,
  eventMessage,
  listChannels,
  listOutbox,
  listSubscriptions,
  publishEvent,
  type RoutingOptions,
  retryDelivery,
  retryFailedDeliveries,
} from './routing.js';
export {
  type ChannelInput,
  ChannelInputSchema,
  type ChannelView,
  ChannelViewSchema,
  type Delivery,
  DeliverySchema,
  type EventType,
  EventTypeSchema,
  type NotifyEventInput,
  NotifyEventInputSchema,
  type PublishResult,
  PublishResultSchema,
  type Report,
  type ReportInput,
  ReportInputSchema,
  ReportSchema,
  type Subscription,
  type SubscriptionInput,
  SubscriptionInputSchema,
  SubscriptionSchema,
} from './routing-schemas.js';
export { scrubSecrets } from './scrub-secrets.js';
// Building blocks, for other domains that talk to remotes
export { type SplitFormat, splitMessage, TELEGRAM_MESSAGE_LIMIT } from './split-message.js';
export {
  createTelegramSender,
  type SentMessage,
  type TelegramSender,
  type TelegramSenderOptions,
} from './telegram-sender.js';
export {
  createWebhookSender,
  signWebhookBody,
  type WebhookReceipt,
  type WebhookSender,
  type WebhookSenderOptions,
} from './webhook-sender.js';
