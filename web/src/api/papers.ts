import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DigestView, PaperView, ProfileView } from '../../../src/papers/views.js';
import { apiFetch } from './client';

export type { DigestEntryView, DigestView, PaperView, ProfileView } from '../../../src/papers/views.js';
export type DigestSummary = Omit<DigestView, 'entries'>;

const enc = encodeURIComponent;

export function fetchDigests(): Promise<{ digests: DigestSummary[] }> {
  return apiFetch('/papers/digests');
}
export function useDigests() {
  return useQuery({ queryKey: ['papers', 'digests'], queryFn: fetchDigests });
}

export function fetchDigest(day: string): Promise<DigestView> {
  return apiFetch(`/papers/digests/${enc(day)}`);
}
export function useDigest(day: string | undefined) {
  return useQuery({
    queryKey: ['papers', 'digest', day],
    queryFn: () => fetchDigest(day ?? ''),
    enabled: Boolean(day),
  });
}

export function searchPapers(q: string): Promise<{ papers: PaperView[] }> {
  return apiFetch(`/papers/search?q=${enc(q)}&limit=20`);
}
export function usePaperSearch(q: string) {
  return useQuery({
    queryKey: ['papers', 'search', q],
    queryFn: () => searchPapers(q),
    enabled: q.trim().length > 0,
  });
}

export function fetchProfile(): Promise<ProfileView> {
  return apiFetch('/papers/profile');
}
export function useProfile() {
  return useQuery({ queryKey: ['papers', 'profile'], queryFn: fetchProfile });
}

export function saveProfile(profile: Partial<ProfileView>): Promise<ProfileView> {
  return apiFetch('/papers/profile', { method: 'PUT', json: profile });
}
export function useSaveProfile() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: saveProfile,
    onSuccess: (saved) => qc.setQueryData(['papers', 'profile'], saved),
  });
}

export function sendFeedback(body: {
  arxivId: string;
  kind: 'like' | 'dislike' | 'more';
}): Promise<ProfileView> {
  return apiFetch('/papers/feedback', { method: 'POST', json: body });
}
export function useFeedback() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: sendFeedback,
    onSuccess: (saved) => qc.setQueryData(['papers', 'profile'], saved),
  });
}
