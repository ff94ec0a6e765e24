import { useQuery } from '@tanstack/react-query';
import type { Health } from '../../../src/server/schemas.js';
import { apiFetch } from './client';

export function getHealth(): Promise<Health> {
  return apiFetch<Health>('/health');
}

export function useHealth() {
  return useQuery({ queryKey: ['health'], queryFn: getHealth, refetchInterval: 10_000 });
}
