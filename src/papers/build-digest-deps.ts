import type { Logger } from '../common/logger.js';
import { createTelegramSender, createWebhookSender } from '../notify/index.js';
import type { Store } from '../store/index.js';
import type { PapersConfig } from './config.js';
import { PapersError } from './errors.js';
import type { DigestDeps } from './run-digest.js';
import { createEmbedder, createSummarizer } from './summarize-paper.js';

/** Secrets for a digest run, read from the environment by the shell and never stored or logged. */
export interface PapersSecrets {
  telegramToken?: string;
  llmApiKey?: string;
  embeddingsApiKey?: string;
  slackWebhookUrl?: string;
}

/**
 * Wires a config and secrets into the parts a digest run uses: summarizer, embedder, Telegram
 * sender (when a chat is configured) and Slack sender (when a webhook URL is given).
 */
export function buildDigestDeps(
  config: PapersConfig,
  opts: { store: Store; log: Logger; secrets: PapersSecrets; signal?: AbortSignal },
): DigestDeps {
  const { secrets, log } = opts;
  const deps: DigestDeps = { store: opts.store, config, log, ...(opts.signal && { signal: opts.signal }) };
  if (config.summarizer) {
    const key = config.summarizer.apiKey ?? secrets.llmApiKey;
    deps.summarizer = createSummarizer({
      baseURL: config.summarizer.baseURL,
      model: config.summarizer.model,
      language: config.language,
      timeoutMs: config.summarizer.timeoutMs,
      maxTokens: config.summarizer.maxTokens,
      maxRetries: config.summarizer.maxRetries,
      log,
      ...(key && { apiKey: key }),
    });
  }
  if (config.embeddings) {
    const key = config.embeddings.apiKey ?? secrets.embeddingsApiKey ?? secrets.llmApiKey;
    deps.embed = createEmbedder({
      baseURL: config.embeddings.baseURL,
      model: config.embeddings.model,
      timeoutMs: config.embeddings.timeoutMs,
      ...(key && { apiKey: key }),
    });
  }
  if (config.telegram) {
    if (!secrets.telegramToken) {
      throw new PapersError(
        'AB_PAPERS_CONFIG_INVALID',
        'telegram.chatId is set but no bot token was given (ALIGNBOARD_TELEGRAM_BOT_TOKEN)',
        {
          field: 'telegram',
        },
      );
    }
    deps.telegram = {
      chatId: config.telegram.chatId,
      sender: createTelegramSender({
        token: secrets.telegramToken,
        parseMode: config.telegram.parseMode,
        log,
        ...(config.telegram.apiRoot && { apiRoot: config.telegram.apiRoot }),
      }),
    };
  }
  if (secrets.slackWebhookUrl)
    deps.slack = createWebhookSender({ url: secrets.slackWebhookUrl, format: 'slack', log });
  return deps;
}
