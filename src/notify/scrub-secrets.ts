/**
 * Replaces every occurrence of each secret (a bot token, a webhook URL's path, a signing key)
 * in `text` with `[redacted]`. Used on every message that leaves notify, because errors from
 * HTTP clients quote the request URL, and a Telegram URL carries the bot token.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  }
  return out;
}
