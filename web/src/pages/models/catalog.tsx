import './models.css';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { type ModelSummary, useModels } from '../../api/registry';
import { ErrorBoundary } from '../../components/error-boundary';
import { formatParams } from '../../components/format-number';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { modelDiffHref, modelHref } from '../../paths';

const PAGE = 50;
/** Size buckets of the size filter, in parameters. */
const SIZES: Record<string, { minParams?: number; maxParams?: number; label: string }> = {
  '': { label: 'any size' },
  small: { maxParams: 1e9 - 1, label: '< 1B' },
  medium: { minParams: 1e9, maxParams: 1e10 - 1, label: '1B – 10B' },
  large: { minParams: 1e10, maxParams: 1e11 - 1, label: '10B – 100B' },
  huge: { minParams: 1e11, label: '≥ 100B' },
};
const STATUS_TONE = { candidate: 'neutral', released: 'ok', archived: 'warn' } as const;

/** The model catalog: search, filters (family, size, owner, tag, status) in the URL, and compare. */
export function ModelCatalogPage() {
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? '';
  const size = SIZES[get('size')] ?? SIZES[''];
  const offset = Number(get('offset')) || 0;
  const status = get('status');
  const models = useModels({
    q: get('q') || undefined,
    family: get('family') || undefined,
    owner: get('owner') || undefined,
    tag: get('tag') || undefined,
    status: status === 'candidate' || status === 'released' || status === 'archived' ? status : undefined,
    minParams: size?.minParams,
    maxParams: size?.maxParams,
    limit: PAGE,
    offset,
  });
  const [selected, setSelected] = useState<string[]>([]);
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    if (k !== 'offset') next.delete('offset');
    setParams(next, { replace: true });
  };
  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const facets = models.data?.facets;

  return (
    <section>
      <PageHeader title="Models">
        <p className="muted">Every model of the team: spec, base, training data, evaluations.</p>
      </PageHeader>
      <search className="card filters">
        <input
          className="input"
          type="search"
          aria-label="Search models"
          placeholder="Search name, owner, family, tags, notes…"
          defaultValue={get('q')}
          onChange={(e) => set('q', e.target.value)}
        />
        <select aria-label="Family" value={get('family')} onChange={(e) => set('family', e.target.value)}>
          <option value="">all families</option>
          {facets?.families.map((f) => (
            <option key={f.value} value={f.value}>
              {f.value} ({f.count})
            </option>
          ))}
        </select>
        <select aria-label="Size" value={get('size')} onChange={(e) => set('size', e.target.value)}>
          {Object.entries(SIZES).map(([k, v]) => (
            <option key={k} value={k}>
              {v.label}
            </option>
          ))}
        </select>
        <select aria-label="Owner" value={get('owner')} onChange={(e) => set('owner', e.target.value)}>
          <option value="">all owners</option>
          {facets?.owners.map((f) => (
            <option key={f.value} value={f.value}>
              {f.value} ({f.count})
            </option>
          ))}
        </select>
        <select aria-label="Status" value={status} onChange={(e) => set('status', e.target.value)}>
          <option value="">any status</option>
          {['candidate', 'released', 'archived'].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <input
          className="input"
          aria-label="Tag"
          placeholder="tag"
          defaultValue={get('tag')}
          onChange={(e) => set('tag', e.target.value.trim())}
        />
        {selected.length >= 2 ? (
          <Link className="button" to={modelDiffHref(selected)}>
            Compare {selected.length}
          </Link>
        ) : (
          <span className="muted">select 2+ to compare</span>
        )}
      </search>
      <ErrorBoundary area="Catalog">
        {models.isError && <CatalogError error={models.error} />}
        {models.data && (
          <>
            <p className="muted" aria-live="polite">
              {models.data.total} models
            </p>
            <CatalogTable items={models.data.items} selected={selected} onToggle={toggle} />
            <div className="pager">
              <button
                type="button"
                className="button button-ghost"
                disabled={offset === 0}
                onClick={() => set('offset', String(Math.max(0, offset - PAGE)))}
              >
                Previous
              </button>
              <button
                type="button"
                className="button button-ghost"
                disabled={offset + PAGE >= models.data.total}
                onClick={() => set('offset', String(offset + PAGE))}
              >
                Next
              </button>
            </div>
          </>
        )}
      </ErrorBoundary>
    </section>
  );
}

function CatalogError({ error }: { error: Error }): never {
  throw error;
}

function CatalogTable({
  items,
  selected,
  onToggle,
}: {
  items: ModelSummary[];
  selected: string[];
  onToggle: (id: string) => void;
}) {
  return (
    <table className="table" aria-label="Models">
      <thead>
        <tr>
          <th />
          <th>Name</th>
          <th>Version</th>
          <th>Family</th>
          <th className="num">Parameters</th>
          <th>Base</th>
          <th>Owner</th>
          <th>Tags</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {items.map((m) => (
          <tr key={m.id}>
            <td>
              <input
                type="checkbox"
                aria-label={`Select ${m.name}@${m.version}`}
                checked={selected.includes(m.id)}
                onChange={() => onToggle(m.id)}
              />
            </td>
            <td>
              <Link to={modelHref(m.id)}>{m.name}</Link>
              {m.isAdapter && <span className="muted"> (adapter)</span>}
            </td>
            <td>{m.version}</td>
            <td>{m.family ?? '–'}</td>
            <td className="num">{formatParams(m.parameterCount)}</td>
            <td>
              {m.baseModel ? (
                m.baseModel.id ? (
                  <Link to={modelHref(m.baseModel.id)}>{`${m.baseModel.name}@${m.baseModel.version}`}</Link>
                ) : (
                  m.baseModel.name
                )
              ) : (
                '–'
              )}
            </td>
            <td>{m.owner ?? '–'}</td>
            <td>{m.tags.join(', ')}</td>
            <td>
              <StatusBadge tone={STATUS_TONE[m.status]}>{m.status}</StatusBadge>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
