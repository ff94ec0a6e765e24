import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { AttentionInput, AttentionWindow, ExportRequest, RagInput } from '../../../../src/viz/index.js';
import { ApiError } from '../../api/client';
import { type AttentionView, decodeTril, useAttention, useCompare, useExport, useNoise } from '../../api/viz';
import { AttentionHeatmap } from '../../components/attention-heatmap';
import { AttentionThumbnailGrid } from '../../components/attention-thumbnail-grid';
import { ErrorBoundary } from '../../components/error-boundary';
import { NoiseMeterPanel } from '../../components/noise-meter-panel';
import { PageHeader } from '../../components/page-header';
import { SegmentShareTable } from '../../components/segment-share-table';
import { TokenStrip } from '../../components/token-strip';

const SAMPLE_RAG: RagInput = {
  kind: 'rag',
  question: 'Which field did the RAG dataset use for the retrieved context?',
  documents: [
    { title: 'Release notes', text: 'Version 2 renamed the context field to "context".' },
    {
      title: 'Incident',
      text: 'The dataset put the retrieved context into "meta", a deprecated field.',
      gold: true,
    },
    { title: 'Lunch', text: 'The cafeteria serves noodles on Tuesdays.' },
  ],
  answer: 'It used the deprecated "meta" field.',
};

function ApiErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : 'AB_WEB_ERROR';
  return (
    <div role="alert" className="alert alert-error">
      <code className="error-code">{code}</code> {error instanceof Error ? error.message : String(error)}
    </div>
  );
}

/** Head view, saliency strip and segment table of one view. */
function HeadView({
  view,
  matrixIndex,
  onMatrix,
  query,
  onQuery,
  pngName,
}: {
  view: AttentionView;
  matrixIndex: number;
  onMatrix: (i: number) => void;
  query: number;
  onQuery: (i: number) => void;
  pngName: string;
}) {
  const T = view.tokens.length;
  const m = view.matrices[Math.min(matrixIndex, view.matrices.length - 1)];
  const full = useMemo(() => (m ? decodeTril(m.tril, T) : new Float32Array(0)), [m, T]);
  const row = useMemo(() => Array.from(full.subarray(query * T, (query + 1) * T)), [full, query, T]);
  const strip = useMemo(
    () => view.tokens.map((t) => ({ text: t.text, segment: view.segments[t.segment]?.label ?? '' })),
    [view],
  );
  const q = view.tokens[query];
  return (
    <div className="head-view card">
      <h2>
        Head view <span className="muted">{view.model.name}</span>
      </h2>
      <label>
        Layer and head{' '}
        <select
          value={matrixIndex}
          onChange={(e) => onMatrix(Number(e.target.value))}
          aria-label="layer and head"
        >
          {view.matrices.map((mm, i) => (
            <option key={`${mm.layer}.${mm.head}`} value={i}>
              layer {mm.layer} · head {mm.head}
            </option>
          ))}
        </select>
      </label>
      {m && (
        <AttentionHeatmap
          values={full}
          rows={T}
          cols={T}
          label={`attention of layer ${m.layer} head ${m.head}, ${T} tokens`}
          pngName={pngName}
          onRowClick={onQuery}
        />
      )}
      <h3>Saliency</h3>
      <p className="muted">
        Attention from token #{query} <code>{q?.text ?? ''}</code> back over the input
        {m ? ` (layer ${m.layer}, head ${m.head})` : ''}. Click a token to select it.
      </p>
      <TokenStrip tokens={strip} weights={row} selected={query} onSelect={onQuery} label="saliency strip" />
    </div>
  );
}

function ModelView({
  view,
  selected,
  onSelect,
}: {
  view: AttentionView;
  selected: { layer: number; head: number } | null;
  onSelect: (layer: number, head: number) => void;
}) {
  return (
    <div className="model-view card">
      <h2>Model view</h2>
      <p className="muted">
        {view.model.L} layers × {view.model.H} heads. Click a head to open it in the head view.
      </p>
      <AttentionThumbnailGrid
        data={view.thumbnails.data}
        bins={view.thumbnails.bins}
        stats={view.headStats}
        selected={selected}
        onSelect={onSelect}
      />
    </div>
  );
}

/** `/attention`: attention views of local models, side-by-side comparison, and the RAG noise meter. */
export function AttentionPage() {
  const [params, setParams] = useSearchParams();
  const [model, setModel] = useState(params.get('model') ?? '');
  const [compareWith, setCompareWith] = useState('');
  const [mode, setMode] = useState<'text' | 'rag'>('text');
  const [text, setText] = useState('');
  const [ragJson, setRagJson] = useState(JSON.stringify(SAMPLE_RAG, null, 2));
  const [inputError, setInputError] = useState<string | null>(null);
  const [matrixIndex, setMatrixIndex] = useState(0);
  const [query, setQuery] = useState(0);
  const [lastExport, setLastExport] = useState<ExportRequest | null>(null);
  const attention = useAttention();
  const compare = useCompare();
  const noise = useNoise();
  const exporter = useExport();

  const views: AttentionView[] =
    noise.data && lastExport?.kind === 'noise'
      ? [noise.data.view]
      : compare.data && lastExport?.kind === 'compare'
        ? compare.data.views
        : attention.data
          ? [attention.data]
          : [];
  const first = views[0];
  const selectedMatrix = first?.matrices[matrixIndex];

  function readInput(): AttentionInput | null {
    setInputError(null);
    if (mode === 'text') return { kind: 'text', text };
    try {
      const parsed: unknown = JSON.parse(ragJson);
      // the server validates the body against its schema and answers a located AB_INPUT_INVALID
      if (typeof parsed === 'object' && parsed !== null) return { ...(parsed as RagInput), kind: 'rag' };
      setInputError('the RAG input must be a JSON object');
    } catch (err) {
      setInputError(`the RAG input is not valid JSON (${(err as Error).message})`);
    }
    return null;
  }

  function run(window?: AttentionWindow) {
    const input = readInput();
    if (!input || !model) return;
    setParams(model ? { model } : {}, { replace: true });
    const onView = (v: AttentionView) => {
      setMatrixIndex(0);
      setQuery(v.tokens.length - 1);
    };
    if (compareWith) {
      const req = { models: [model, compareWith] as [string, string], input, ...(window ? { window } : {}) };
      setLastExport({ kind: 'compare', ...req });
      compare.mutate(req, { onSuccess: (r) => r.views[0] && onView(r.views[0]) });
    } else {
      const req = { model, input, ...(window ? { window } : {}) };
      setLastExport({ kind: 'attention', ...req });
      attention.mutate(req, { onSuccess: onView });
    }
  }

  function measureNoise() {
    const input = readInput();
    if (!input || !model) return;
    if (input.kind !== 'rag') {
      setInputError('the noise meter needs a RAG input');
      return;
    }
    const req = { model, input };
    setLastExport({ kind: 'noise', ...req });
    noise.mutate(req, {
      onSuccess: (r) => {
        setMatrixIndex(0);
        setQuery(r.view.tokens.length - 1);
      },
    });
  }

  function exportHtml() {
    if (!lastExport) return;
    exporter.mutate(lastExport, {
      onSuccess: ({ filename, html }) => {
        const url = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = filename;
        a.click();
        URL.revokeObjectURL(url);
      },
    });
  }

  const busy = attention.isPending || compare.isPending || noise.isPending;
  return (
    <section className="attention-page">
      <PageHeader title="Attention">
        <p className="muted">
          What a model attends to, on your own models: head view, model view, saliency, side-by-side, and the
          RAG attention-noise meter.
        </p>
      </PageHeader>
      <form
        className="card attention-form"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <div className="form-row">
          <label>
            Model{' '}
            <input
              value={model}
              onChange={(e) => setModel(e.target.value)}
              placeholder="registry model or folder"
              aria-label="model"
              required
            />
          </label>
          <label>
            Compare with{' '}
            <input
              value={compareWith}
              onChange={(e) => setCompareWith(e.target.value)}
              placeholder="optional second model"
              aria-label="compare with"
            />
          </label>
          <label>
            Input{' '}
            <select
              value={mode}
              onChange={(e) => setMode(e.target.value === 'rag' ? 'rag' : 'text')}
              aria-label="input kind"
            >
              <option value="text">plain text</option>
              <option value="rag">RAG (JSON)</option>
            </select>
          </label>
        </div>
        {mode === 'text' ? (
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={6}
            aria-label="text input"
            required
          />
        ) : (
          <textarea
            value={ragJson}
            onChange={(e) => setRagJson(e.target.value)}
            rows={12}
            aria-label="RAG input"
            className="mono"
          />
        )}
        <div className="form-row">
          <button type="submit" className="button" disabled={busy}>
            Show attention
          </button>
          {mode === 'rag' && (
            <button type="button" className="button" onClick={measureNoise} disabled={busy}>
              Measure noise
            </button>
          )}
          <button
            type="button"
            className="button button-ghost"
            onClick={exportHtml}
            disabled={!lastExport || exporter.isPending}
          >
            Export HTML
          </button>
          {busy && <span className="muted">Running the model…</span>}
        </div>
        {inputError && (
          <div role="alert" className="alert alert-error">
            {inputError}
          </div>
        )}
        <ApiErrorNote error={attention.error ?? compare.error ?? noise.error ?? exporter.error} />
      </form>

      {noise.data && lastExport?.kind === 'noise' && (
        <ErrorBoundary area="Noise meter">
          <div className="card">
            <h2>RAG attention noise</h2>
            <NoiseMeterPanel result={noise.data} />
          </div>
        </ErrorBoundary>
      )}
      <div className={views.length > 1 ? 'side-by-side' : undefined}>
        {views.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the two compared models may be the same model
          <ErrorBoundary key={`${v.model.name}-${i}`} area={`Head view of ${v.model.name}`}>
            <div>
              <HeadView
                view={v}
                matrixIndex={matrixIndex}
                onMatrix={setMatrixIndex}
                query={Math.min(query, v.tokens.length - 1)}
                onQuery={setQuery}
                pngName={`attention-${i + 1}.png`}
              />
              <div className="card">
                <SegmentShareTable
                  segments={v.segments}
                  shares={v.layerSegmentShares.at(-1) ?? []}
                  caption="Attention between segments, last layer, head mean"
                />
              </div>
            </div>
          </ErrorBoundary>
        ))}
      </div>
      {first && (
        <ErrorBoundary area="Model view">
          <ModelView
            view={first}
            selected={selectedMatrix ? { layer: selectedMatrix.layer, head: selectedMatrix.head } : null}
            onSelect={(layer, head) => {
              const at = first.matrices.findIndex((m) => m.layer === layer && m.head === head);
              if (at >= 0) setMatrixIndex(at);
              else if (lastExport?.kind !== 'noise') run({ layers: [layer, layer], heads: [head, head] });
            }}
          />
        </ErrorBoundary>
      )}
    </section>
  );
}
