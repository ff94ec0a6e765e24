import { useMutation } from '@tanstack/react-query';
import type {
  AttentionRequest,
  AttentionView,
  CompareRequest,
  CompareResult,
  ExportRequest,
  NoiseRequest,
  NoiseResult,
} from '../../../src/viz/index.js';
import { apiFetch } from './client';

export type { AttentionView, CompareResult, NoiseResult };

export function postAttention(body: AttentionRequest): Promise<AttentionView> {
  return apiFetch<AttentionView>('/viz/attention', { method: 'POST', json: body });
}

export function postCompare(body: CompareRequest): Promise<CompareResult> {
  return apiFetch<CompareResult>('/viz/compare', { method: 'POST', json: body });
}

export function postNoise(body: NoiseRequest): Promise<NoiseResult> {
  return apiFetch<NoiseResult>('/viz/noise', { method: 'POST', json: body });
}

export function postExport(body: ExportRequest): Promise<{ filename: string; html: string }> {
  return apiFetch<{ filename: string; html: string }>('/viz/export.json', { method: 'POST', json: body });
}

export function useAttention() {
  return useMutation({ mutationFn: postAttention });
}

export function useCompare() {
  return useMutation({ mutationFn: postCompare });
}

export function useNoise() {
  return useMutation({ mutationFn: postNoise });
}

export function useExport() {
  return useMutation({ mutationFn: postExport });
}

/**
 * The API's wire form of a full matrix (lower triangle, uint16 little-endian, base64; see
 * src/viz/matrix-codec.ts) back to (T, T) probabilities.
 */
export function decodeTril(b64: string, T: number): Float32Array {
  const bin = atob(b64);
  const out = new Float32Array(T * T);
  let o = 0;
  for (let t = 0; t < T; t++) {
    for (let k = 0; k <= t; k++) {
      out[t * T + k] = (bin.charCodeAt(o) | (bin.charCodeAt(o + 1) << 8)) / 65535;
      o += 2;
    }
  }
  return out;
}
