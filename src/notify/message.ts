/**
 * A channel-neutral message: paragraphs of inline runs, plus optional button rows. Channels
 * render it to Telegram HTML or MarkdownV2, Slack mrkdwn or plain text, escaping every run, so
 * callers never build markup by hand and untrusted text (paper titles, model output) stays text.
 */
export type Inline =
  | string
  | { bold: string }
  | { italic: string }
  | { code: string }
  | { link: string; href: string };

export interface NotifyButton {
  text: string;
  /** Telegram callback data, at most 64 bytes. */
  data?: string;
  url?: string;
}

export interface NotifyMessage {
  paragraphs: Inline[][];
  /** Rows of buttons; Telegram shows them under the last part of the message. */
  buttons?: NotifyButton[][];
}

export type ParseMode = 'HTML' | 'MarkdownV2';

/** Escapes text for Telegram's HTML parse mode (and HTML attributes, with `"`). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
  );
}

/** Escapes text for Telegram's MarkdownV2: every one of `_*[]()~\`>#+-=|{}.!\\` gets a backslash. */
export function escapeMarkdownV2(text: string): string {
  return text.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, '\\$&');
}

/** Inside MarkdownV2 `code` and `pre`, only `` ` `` and `\` are escaped. */
function escapeMarkdownV2Code(text: string): string {
  return text.replace(/[`\\]/g, '\\$&');
}

/** Inside the `(...)` of a MarkdownV2 link, only `)` and `\` are escaped. */
function escapeMarkdownV2Url(text: string): string {
  return text.replace(/[)\\]/g, '\\$&');
}

/** Slack mrkdwn reserves `&`, `<` and `>`; everything else is literal. */
export function escapeSlack(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Only http(s) links are rendered as links; anything else (javascript:, data:) becomes text. */
function isSafeHref(href: string): boolean {
  return /^https?:\/\//i.test(href);
}

function renderInline(run: Inline, format: 'html' | 'markdownv2' | 'slack' | 'plain'): string {
  const esc =
    format === 'html'
      ? escapeHtml
      : format === 'markdownv2'
        ? escapeMarkdownV2
        : format === 'slack'
          ? escapeSlack
          : (t: string) => t;
  if (typeof run === 'string') return esc(run);
  if ('bold' in run) {
    if (format === 'html') return `<b>${esc(run.bold)}</b>`;
    if (format === 'plain') return run.bold;
    return `*${esc(run.bold)}*`;
  }
  if ('italic' in run) {
    if (format === 'html') return `<i>${esc(run.italic)}</i>`;
    if (format === 'plain') return run.italic;
    return `_${esc(run.italic)}_`;
  }
  if ('code' in run) {
    if (format === 'html') return `<code>${esc(run.code)}</code>`;
    if (format === 'markdownv2') return `\`${escapeMarkdownV2Code(run.code)}\``;
    if (format === 'plain') return run.code;
    return `\`${esc(run.code)}\``;
  }
  if (!isSafeHref(run.href)) return renderInline(`${run.link} (${run.href})`, format);
  if (format === 'html') return `<a href="${escapeHtml(run.href)}">${esc(run.link)}</a>`;
  if (format === 'markdownv2') return `[${esc(run.link)}](${escapeMarkdownV2Url(run.href)})`;
  if (format === 'slack') return `<${escapeSlack(run.href).replace(/\|/g, '%7C')}|${esc(run.link)}>`;
  return `${run.link} (${run.href})`;
}

/**
 * Renders a message to one string: paragraphs joined by a blank line, runs escaped for the
 * format. Markup never spans a paragraph, so `splitMessage` can cut between paragraphs freely.
 */
export function renderMessage(
  message: NotifyMessage,
  format: 'html' | 'markdownv2' | 'slack' | 'plain',
): string {
  return message.paragraphs.map((p) => p.map((run) => renderInline(run, format)).join('')).join('\n\n');
}

/** The plain text of a message, without markup: for logs, webhook bodies and searching. */
export function messageText(message: NotifyMessage): string {
  return renderMessage(message, 'plain');
}
