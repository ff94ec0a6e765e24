import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Delivery } from '../../../src/notify/routing-schemas.js';
import { apiFetch } from './client';

export type { Delivery } from '../../../src/notify/routing-schemas.js';

export function useOutbox() {
  return useQuery({
    queryKey: ['notify', 'outbox'],
    queryFn: () => apiFetch<Delivery[]>('/notify/deliveries'),
  });
}
export function useRetryDelivery() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<Delivery>(`/notify/deliveries/${encodeURIComponent(id)}/retry`, { method: 'POST' }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['notify', 'outbox'] }),
  });
}
