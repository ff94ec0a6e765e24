import type { Tone } from '../../components/status-badge';

export const RUN_TONE: Record<string, Tone> = {
  queued: 'neutral',
  submitted: 'neutral',
  running: 'warn',
  registering: 'warn',
  succeeded: 'ok',
  failed: 'bad',
  cancelled: 'neutral',
};
