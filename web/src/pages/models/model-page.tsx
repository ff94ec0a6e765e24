import './models.css';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { type ModelDetail, modelFileHref, useLineage, useModel, useUpdateModel } from '../../api/registry';
import { ErrorBoundary } from '../../components/error-boundary';
import { formatBytes, formatParams } from '../../components/format-number';
import { LineChart } from '../../components/line-chart';
import { LineageGraph } from '../../components/lineage-graph';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { modelDiffHref, modelHref } from '../../paths';

/** One model: spec, weights, base and training, lineage graph, curves, files, card and notes. */
export function ModelPage() {
  const { id = '' } = useParams();
  const model = useModel(id);
  if (model.isError) throw model.error;
  if (!model.data) return <p className="muted">Loading…</p>;
  const m = model.data;
  return (
    <section>
      <PageHeader title={`${m.name}@${m.version}`}>
        <p className="muted">
          <StatusBadge tone={m.status === 'released' ? 'ok' : m.status === 'archived' ? 'warn' : 'neutral'}>
            {m.status}
          </StatusBadge>{' '}
          {m.family ?? 'unknown family'} · {formatParams(m.parameterCount)} parameters · owner{' '}
          {m.owner ?? '–'} · <code>{m.location}</code>
          {m.deletedAt && <StatusBadge tone="bad">deleted</StatusBadge>}
        </p>
        {m.baseModel?.id && (
          <Link className="button button-ghost" to={modelDiffHref([m.baseModel.id, m.id], true)}>
            Diff with base
          </Link>
        )}
      </PageHeader>
      <ErrorBoundary area="Spec">
        <SpecCard m={m} />
      </ErrorBoundary>
      <ErrorBoundary area="Lineage">
        <LineageCard id={m.id} />
      </ErrorBoundary>
      <ErrorBoundary area="Training">
        <TrainingCard m={m} />
      </ErrorBoundary>
      <ErrorBoundary area="Notes">
        <NotesCard m={m} />
      </ErrorBoundary>
      <ErrorBoundary area="Files">
        <FilesCard m={m} />
      </ErrorBoundary>
    </section>
  );
}

function SpecCard({ m }: { m: ModelDetail }) {
  const s = m.spec;
  const rows: [string, string][] = [];
  if (m.baseModel) {
    const b = m.baseModel;
    rows.push([
      'Base model',
      `${b.version ? `${b.name}@${b.version}` : `${b.name} (external)`} · ${b.relation ?? 'finetune'}`,
    ]);
  }
  if (s) {
    rows.push(
      ['Architecture', `${s.family ?? '–'} · ${s.architecture ?? '–'} · config.json ${s.configLayout}`],
      ['Layers', String(s.layers ?? '–')],
      ['Hidden size', String(s.hiddenSize ?? '–')],
      [
        'Heads / KV heads',
        `${s.attentionHeads ?? '–'} / ${s.kvHeads ?? '–'} (GQA ratio ${s.gqaRatio ?? '–'})`,
      ],
      ['Head dim', String(s.headDim ?? '–')],
      ['Intermediate size', String(s.intermediateSize ?? '–')],
      ['Vocabulary', String(s.vocabSize ?? '–')],
      ['Context length', String(s.contextLength ?? '–')],
      [
        'RoPE',
        s.rope
          ? `θ ${s.rope.theta ?? '–'} · ${s.rope.type ?? '–'}${s.rope.scaling ? ` · ${JSON.stringify(s.rope.scaling)}` : ''}`
          : '–',
      ],
      ['Tied embeddings', String(s.tiedEmbeddings ?? '–')],
      ['Activation', s.activation ?? '–'],
      ['dtype', s.dtype ?? '–'],
    );
  }
  if (m.adapter) {
    rows.push([
      'Adapter',
      `${m.adapter.peftType ?? '–'} r=${m.adapter.rank} α=${m.adapter.alpha} on ${m.adapter.targetModules.join(', ')}`,
    ]);
  }
  if (m.weights) {
    rows.push(
      [
        'Parameters',
        `${m.weights.parameterCount.toLocaleString('en')} exact (${Object.entries(m.weights.parametersByDtype)
          .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
          .join(', ')})`,
      ],
      [
        'By component',
        Object.entries(m.weights.parametersByComponent)
          .map(([k, v]) => `${k} ${formatParams(v)}`)
          .join(' · '),
      ],
      [
        'Weights',
        `${m.weights.files.length} safetensors file(s)${m.weights.sharded ? ', sharded' : ''} · ${formatBytes(m.weights.sizeBytes)}`,
      ],
    );
  }
  if (m.chatTemplate)
    rows.push(['Chat template', `${m.chatTemplate.hash.slice(0, 23)}… from ${m.chatTemplate.source}`]);
  if (m.tokenizer)
    rows.push([
      'Special tokens',
      Object.entries(m.tokenizer.specialTokens)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · '),
    ]);
  if (m.generation)
    rows.push([
      'Generation defaults',
      Object.entries(m.generation)
        .map(([k, v]) => `${k}=${v}`)
        .join(' · '),
    ]);
  return (
    <div className="card">
      <h2>Spec</h2>
      <dl className="facts" aria-label="Spec">
        {rows.map(([k, v]) => (
          <FactRow key={k} label={k} value={v} />
        ))}
      </dl>
      {m.chatTemplate && (
        <details>
          <summary>Chat template</summary>
          <pre>{m.chatTemplate.text}</pre>
        </details>
      )}
    </div>
  );
}

function FactRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

function LineageCard({ id }: { id: string }) {
  const lineage = useLineage(id);
  const navigate = useNavigate();
  if (lineage.isError) throw lineage.error;
  return (
    <div className="card">
      <h2>Lineage</h2>
      {lineage.data && (
        <LineageGraph
          nodes={lineage.data.nodes}
          edges={lineage.data.edges}
          focusId={id}
          onOpenModel={(modelId) => navigate(modelHref(modelId))}
        />
      )}
    </div>
  );
}

function TrainingCard({ m }: { m: ModelDetail }) {
  const t = m.training;
  const curves = m.curves ?? [];
  if (!t && curves.length === 0) return null;
  const series = (pick: (p: (typeof curves)[number]) => number | null) =>
    curves.flatMap((p) => {
      const y = pick(p);
      return y === null ? [] : [{ x: p.step, y }];
    });
  return (
    <div className="card">
      <h2>Training</h2>
      {t && (
        <dl className="facts">
          <FactRow label="Algorithm" value={t.algorithm ?? '–'} />
          <FactRow label="Run" value={t.runId ?? '–'} />
          <FactRow label="Recipe" value={`${t.recipe ?? '–'} ${t.recipeHash ?? ''}`} />
          <FactRow
            label="Hyperparameters"
            value={
              Object.entries(t.hyperparameters)
                .map(([k, v]) => `${k}=${v}`)
                .join(' · ') || '–'
            }
          />
          <FactRow
            label="Datasets"
            value={
              t.datasets
                .map(
                  (d) =>
                    `${d.name}${d.version ? `@${d.version}` : ''}${d.contentHash ? ` #${d.contentHash.slice(0, 12)}` : ''}${d.gateStatus ? ` (${d.gateStatus})` : ''}`,
                )
                .join(' · ') || '–'
            }
          />
        </dl>
      )}
      {curves.length > 0 && (
        <div className="charts">
          <LineChart
            title="Loss"
            xLabel="step"
            series={[
              { name: 'train loss', color: '#2f6fdf', points: series((p) => p.loss) },
              { name: 'eval loss', color: '#d9822b', points: series((p) => p.evalLoss) },
            ]}
          />
          <LineChart
            title="Learning rate"
            xLabel="step"
            series={[{ name: 'learning rate', color: '#2b9d5c', points: series((p) => p.learningRate) }]}
          />
        </div>
      )}
      {m.evaluations.length > 0 && (
        <table className="table" aria-label="Evaluations">
          <thead>
            <tr>
              <th>Evaluation</th>
              <th>Metrics</th>
              <th>Contract</th>
            </tr>
          </thead>
          <tbody>
            {m.evaluations.map((e) => (
              <tr key={e.id}>
                <td>{e.name}</td>
                <td>
                  {Object.entries(e.metrics)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(' · ')}
                </td>
                <td>
                  <code>{e.contractHash ?? '–'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function NotesCard({ m }: { m: ModelDetail }) {
  const update = useUpdateModel(m.id);
  const [notes, setNotes] = useState(m.notes);
  const [tags, setTags] = useState(m.tags.join(', '));
  if (update.isError) throw update.error;
  return (
    <div className="card">
      <h2>Notes</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate({
            notes,
            tags: tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          });
        }}
      >
        <textarea
          className="input"
          aria-label="Notes"
          rows={4}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
        />
        <input className="input" aria-label="Tags" value={tags} onChange={(e) => setTags(e.target.value)} />
        <select
          aria-label="Status"
          value={m.status}
          onChange={(e) => {
            const v = e.target.value;
            if (v === 'candidate' || v === 'released' || v === 'archived') update.mutate({ status: v });
          }}
        >
          <option value="candidate">candidate</option>
          <option value="released">released</option>
          <option value="archived">archived</option>
        </select>{' '}
        <button type="submit" className="button" disabled={update.isPending}>
          Save
        </button>
      </form>
      {m.card?.body && (
        <details>
          <summary>Model card</summary>
          <pre className="card-body">{m.card.body}</pre>
        </details>
      )}
    </div>
  );
}

function FilesCard({ m }: { m: ModelDetail }) {
  return (
    <div className="card">
      <h2>Files</h2>
      <table className="table" aria-label="Files">
        <tbody>
          {m.files.map((f) => (
            <tr key={f.path}>
              <td>
                {m.sourceKind === 'local' && /\.(json|md|jinja|txt|ya?ml)$/i.test(f.path) ? (
                  <a href={modelFileHref(m.id, f.path)} target="_blank" rel="noreferrer">
                    <code>{f.path}</code>
                  </a>
                ) : (
                  <code>{f.path}</code>
                )}
              </td>
              <td className="num">{formatBytes(f.sizeBytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
