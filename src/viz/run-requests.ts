// What the server routes and the CLI commands call: one function per request, over a model cache.
import { renderStaticHtml } from './export-html.js';
import { buildView, extractAttentionOnPath } from './extract-attention.js';
import { ragNoiseOnPath } from './noise-meter.js';
import type { ModelCache } from './resolve-model.js';
import type {
  AttentionRequest,
  AttentionView,
  CompareRequest,
  CompareResult,
  ExportRequest,
  NoiseRequest,
  NoiseResult,
} from './schemas.js';

/** Attention of one model on one input, on the requested forward path (default 'auto'). */
export async function runAttention(cache: ModelCache, req: AttentionRequest): Promise<AttentionView> {
  const model = await cache.get(req.model);
  const ex = await extractAttentionOnPath(model, req.input, { path: req.path, log: cache.log });
  return buildView(ex, { window: req.window, query: req.query });
}

/** Two models on the same input, side by side. */
export async function runCompare(cache: ModelCache, req: CompareRequest): Promise<CompareResult> {
  const views: AttentionView[] = [];
  for (const ref of req.models) {
    const model = await cache.get(ref);
    // each model's window is clamped to its own shape when none is requested
    const ex = await extractAttentionOnPath(model, req.input, { path: req.path, log: cache.log });
    views.push(buildView(ex, { window: req.window, query: req.query }));
  }
  return { views };
}

/** The RAG noise meter. */
export async function runNoise(cache: ModelCache, req: NoiseRequest): Promise<NoiseResult> {
  const model = await cache.get(req.model);
  return ragNoiseOnPath(model, req.input, {
    path: req.path,
    log: cache.log,
    ...(req.maxNewTokens !== undefined ? { maxNewTokens: req.maxNewTokens } : {}),
    ...(req.leaveOneOut !== undefined ? { leaveOneOut: req.leaveOneOut } : {}),
    ...(req.placements !== undefined ? { placements: req.placements } : {}),
    view: { window: req.window },
  });
}

/** Any of the above as a self-contained HTML file. */
export async function runExport(cache: ModelCache, req: ExportRequest): Promise<string> {
  if (req.kind === 'attention') {
    const view = await runAttention(cache, req);
    return renderStaticHtml({ title: `Attention · ${view.model.name}`, views: [view] });
  }
  if (req.kind === 'compare') {
    const { views } = await runCompare(cache, req);
    return renderStaticHtml({ title: `Attention · ${views.map((v) => v.model.name).join(' vs ')}`, views });
  }
  const noise = await runNoise(cache, req);
  return renderStaticHtml({
    title: `RAG attention noise · ${noise.report.model}`,
    views: [noise.view],
    noise,
  });
}
