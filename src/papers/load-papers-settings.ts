import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { PapersSecrets } from './build-digest-deps.js';
import type { PapersConfig } from './config.js';
import { parsePapersConfig } from './config.js';
import { PapersError } from './errors.js';

/**
 * Environment variables the paper digest reads. The config file holds everything but secrets;
 * secrets come only from the environment and are never written back or returned by the API.
 */
export const PAPERS_ENV = {
  config: 'ALIGNBOARD_PAPERS_CONFIG',
  telegramToken: 'ALIGNBOARD_TELEGRAM_BOT_TOKEN',
  llmApiKey: 'ALIGNBOARD_PAPERS_LLM_API_KEY',
  slackWebhookUrl: 'ALIGNBOARD_SLACK_WEBHOOK_URL',
} as const;

export interface PapersSettings {
  config: PapersConfig;
  secrets: PapersSecrets;
  /** The config file read, or undefined when defaults are used. */
  file?: string;
}

/**
 * Reads the papers config from `$ALIGNBOARD_PAPERS_CONFIG` or `<dataDir>/papers.yaml` (YAML or
 * JSON), defaults when neither exists, and the secrets from the environment. A YAML error names
 * the file and line; a schema error names the field.
 */
export async function loadPapersSettings(opts: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<PapersSettings> {
  const env = opts.env ?? process.env;
  const named = env[PAPERS_ENV.config];
  const file = named ? path.resolve(named) : path.join(opts.dataDir, 'papers.yaml');
  const secrets: PapersSecrets = {
    ...(env[PAPERS_ENV.telegramToken] && { telegramToken: env[PAPERS_ENV.telegramToken] }),
    ...(env[PAPERS_ENV.llmApiKey] && { llmApiKey: env[PAPERS_ENV.llmApiKey] }),
    ...(env[PAPERS_ENV.slackWebhookUrl] && { slackWebhookUrl: env[PAPERS_ENV.slackWebhookUrl] }),
  };
  if (!existsSync(file)) {
    if (named)
      throw new PapersError('AB_PAPERS_CONFIG_INVALID', 'the papers config file does not exist', { file });
    return { config: parsePapersConfig({}), secrets };
  }
  const doc = parseDocument(await readFile(file, 'utf8'));
  const [first] = doc.errors;
  if (first) {
    throw new PapersError('AB_PAPERS_CONFIG_INVALID', `not valid YAML: ${first.message.split('\n')[0]}`, {
      file,
      ...(first.linePos?.[0] && { line: first.linePos[0].line }),
    });
  }
  return { config: parsePapersConfig(doc.toJS() ?? {}, file), secrets, file };
}
