import type { Tone } from '../../components/status-badge';

/** Badge tone of a gate status. */
export const STATUS_TONE: Record<string, Tone> = { accepted: 'ok', quarantined: 'warn', rejected: 'bad' };
/** Badge tone of a finding's severity and of a field's consumption status. */
export const SEVERITY_TONE: Record<string, Tone> = { error: 'bad', warning: 'warn', info: 'neutral' };
export const CONSUMPTION_TONE: Record<string, Tone> = {
  rendered: 'ok',
  truncated: 'warn',
  wrong_part: 'bad',
  dropped: 'bad',
  not_present: 'neutral',
};

export const formatMb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 0)} MB`;
export const formatPct = (x: number) => `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)}%`;
