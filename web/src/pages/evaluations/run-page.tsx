import './evaluations.css';
import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'react-router';
import {
  type EvalJob,
  useAddEndpoint,
  useBindings,
  useCancelJob,
  useEndpoints,
  useEnqueueRuns,
  useEvalEvents,
  useImportTask,
  useJobs,
  usePreflight,
  useRegisterModel,
  useSuites,
  useTasks,
} from '../../api/eval';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { ProgressBar } from '../../components/progress-bar';
import { StatusBadge, type Tone } from '../../components/status-badge';
import { evalCompareHref, evalRunHref, paths } from '../../paths';

const JOB_TONE: Record<EvalJob['status'], Tone> = {
  queued: 'neutral',
  running: 'warn',
  succeeded: 'ok',
  failed: 'bad',
  cancelled: 'neutral',
};

function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as { code?: string; message?: string };
  return (
    <p role="alert" className="alert alert-error">
      {e.code ? <code className="error-code">{e.code}</code> : null} {e.message}
    </p>
  );
}

function EndpointsCard() {
  const endpoints = useEndpoints();
  const add = useAddEndpoint();
  const [form, setForm] = useState({ name: '', baseUrl: '', model: '' });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate(form, { onSuccess: () => setForm({ name: '', baseUrl: '', model: '' }) });
  };
  return (
    <section className="card" aria-label="Endpoints">
      <h2>Endpoints</h2>
      {endpoints.data?.length ? (
        <table className="table">
          <thead>
            <tr>
              <th>name</th>
              <th>base URL</th>
              <th>model</th>
              <th>capabilities</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.data.map((e) => (
              <tr key={e.id}>
                <td>{e.name}</td>
                <td>
                  <code>{e.baseUrl}</code>
                </td>
                <td>{e.model}</td>
                <td>
                  {e.capabilities
                    ? `${e.capabilities.server}: ${[
                        e.capabilities.completions && 'completions',
                        e.capabilities.chat && 'chat',
                        e.capabilities.promptLogprobs && 'prompt logprobs',
                      ]
                        .filter(Boolean)
                        .join(', ')}`
                    : 'not probed'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">
          No endpoints yet: add an OpenAI-compatible server (vLLM, the embedded engine, …).
        </p>
      )}
      <form className="inline-form" onSubmit={submit} aria-label="Add endpoint">
        <input
          className="input"
          placeholder="name"
          aria-label="Endpoint name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <input
          className="input"
          placeholder="http://127.0.0.1:8000/v1"
          aria-label="Base URL"
          value={form.baseUrl}
          onChange={(e) => setForm({ ...form, baseUrl: e.target.value })}
        />
        <input
          className="input"
          placeholder="served model name"
          aria-label="Served model"
          value={form.model}
          onChange={(e) => setForm({ ...form, model: e.target.value })}
        />
        <button type="submit" className="button" disabled={add.isPending}>
          {add.isPending ? 'Adding and probing…' : 'Add endpoint'}
        </button>
      </form>
      <ErrorText error={add.error} />
    </section>
  );
}

function RegisterModelCard() {
  const endpoints = useEndpoints();
  const bindings = useBindings();
  const register = useRegisterModel();
  const [form, setForm] = useState({ path: '', name: '', owner: '', endpointId: '' });
  const endpointId = form.endpointId || endpoints.data?.[0]?.id || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    register.mutate(
      { path: form.path, name: form.name || undefined, owner: form.owner || undefined, endpointId },
      { onSuccess: () => setForm({ path: '', name: '', owner: '', endpointId: '' }) },
    );
  };
  return (
    <section className="card" aria-label="Models">
      <h2>Models</h2>
      {bindings.data?.length ? (
        <ul className="plain-list">
          {bindings.data.map((b) => (
            <li key={b.modelId}>
              {b.modelName} <span className="muted">served by {b.endpointName}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No registry model is bound to an endpoint yet.</p>
      )}
      <form className="inline-form" onSubmit={submit} aria-label="Register model">
        <input
          className="input"
          placeholder="/path/to/model-folder"
          aria-label="Model folder"
          value={form.path}
          onChange={(e) => setForm({ ...form, path: e.target.value })}
        />
        <input
          className="input"
          placeholder="name (optional)"
          aria-label="Model name"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <input
          className="input"
          placeholder="owner (optional)"
          aria-label="Owner"
          value={form.owner}
          onChange={(e) => setForm({ ...form, owner: e.target.value })}
        />
        <select
          className="input"
          aria-label="Served by"
          value={endpointId}
          onChange={(e) => setForm({ ...form, endpointId: e.target.value })}
        >
          {endpoints.data?.map((e) => (
            <option key={e.id} value={e.id}>
              {e.name}
            </option>
          ))}
        </select>
        <button type="submit" className="button" disabled={register.isPending || !endpointId}>
          Register model
        </button>
      </form>
      <ErrorText error={register.error} />
    </section>
  );
}

function ImportTaskForm() {
  const importTask = useImportTask();
  const [file, setFile] = useState('');
  const [datasetPath, setDatasetPath] = useState('');
  return (
    <details>
      <summary>Import a task (mt-bench, arena-hard, or an lm-eval or Alignboard YAML on the server)</summary>
      <form
        className="inline-form"
        aria-label="Import task"
        onSubmit={(e) => {
          e.preventDefault();
          importTask.mutate({ file, ...(datasetPath && { datasetPath }) });
        }}
      >
        <input
          className="input"
          placeholder="mt-bench, arena-hard or /path/to/task.yaml"
          aria-label="Task file"
          value={file}
          onChange={(e) => setFile(e.target.value)}
        />
        <input
          className="input"
          placeholder="local dataset folder (optional)"
          aria-label="Dataset folder"
          value={datasetPath}
          onChange={(e) => setDatasetPath(e.target.value)}
        />
        <button type="submit" className="button button-ghost">
          Import
        </button>
      </form>
      <ErrorText error={importTask.error} />
    </details>
  );
}

function RunCard() {
  const endpoints = useEndpoints();
  const bindings = useBindings();
  const suites = useSuites();
  const tasks = useTasks();
  const enqueue = useEnqueueRuns();
  const [selected, setSelected] = useState<string[]>([]);
  const [what, setWhat] = useState('');
  const [limit, setLimit] = useState('');
  const [judgeId, setJudgeId] = useState('');
  const options = [
    ...(suites.data ?? []).map((s) => ({ value: `suite:${s.name}`, label: `suite ${s.name}` })),
    ...(tasks.data ?? []).map((t) => ({ value: `task:${t.name}`, label: `task ${t.name}` })),
  ];
  const choice = what || options[0]?.value || '';
  const suite = choice.startsWith('suite:')
    ? suites.data?.find((s) => `suite:${s.name}` === choice)
    : undefined;
  // A judged task (MT-Bench, arena-hard) is graded by another endpoint, picked here.
  const judgedTasks = new Set((tasks.data ?? []).filter((t) => t.outputType === 'judge').map((t) => t.name));
  const isJudged = suite
    ? suite.items.some((i) => judgedTasks.has(i.task))
    : judgedTasks.has(choice.slice('task:'.length));
  const judgeEndpointId = isJudged ? judgeId : '';
  const targets = [
    ...(bindings.data ?? []).map((b) => ({
      key: `model:${b.modelId}`,
      label: `${b.modelName} (via ${b.endpointName})`,
    })),
    ...(endpoints.data ?? []).map((e) => ({
      key: `endpoint:${e.id}`,
      label: `endpoint ${e.name} (${e.model})`,
    })),
  ];
  const request = useMemo(() => {
    if (selected.length === 0 || !choice) return null;
    return {
      targets: selected.map((k) =>
        k.startsWith('model:') ? { modelId: k.slice(6) } : { endpointId: k.slice(9) },
      ),
      ...(choice.startsWith('suite:')
        ? { suite: choice.slice(6) }
        : { tasks: [choice.slice(5)], ...(Number(limit) > 0 && { settings: { limit: Number(limit) } }) }),
      ...(judgeEndpointId && { judgeEndpointId }),
    };
  }, [selected, choice, limit, judgeEndpointId]);
  const preflight = usePreflight(request);
  const isBlocked = preflight.data?.verdicts.some((v) => !v.isOk) ?? false;
  const toggle = (k: string) => setSelected((s) => (s.includes(k) ? s.filter((x) => x !== k) : [...s, k]));
  return (
    <section className="card" aria-label="Run an evaluation">
      <h2>Run</h2>
      <fieldset className="targets">
        <legend>Models</legend>
        {targets.length === 0 ? <p className="muted">Register a model or an endpoint first.</p> : null}
        {targets.map((t) => (
          <label key={t.key} className="check">
            <input type="checkbox" checked={selected.includes(t.key)} onChange={() => toggle(t.key)} />{' '}
            {t.label}
          </label>
        ))}
      </fieldset>
      <div className="inline-form">
        <label>
          Suite or task{' '}
          <select
            className="input"
            aria-label="Suite or task"
            value={choice}
            onChange={(e) => setWhat(e.target.value)}
          >
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        {choice.startsWith('task:') ? (
          <label>
            limit{' '}
            <input
              className="input narrow"
              aria-label="Limit"
              inputMode="numeric"
              value={limit}
              onChange={(e) => setLimit(e.target.value)}
            />
          </label>
        ) : null}
        {isJudged ? (
          <label>
            Judge{' '}
            <select
              className="input"
              aria-label="Judge endpoint"
              value={judgeId}
              onChange={(e) => setJudgeId(e.target.value)}
            >
              <option value="">pick a judge endpoint</option>
              {endpoints.data?.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name} ({e.model})
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      {suite ? (
        <p className="muted pinned">
          Pinned:{' '}
          {suite.items.map((i) => (
            <code key={i.task}>
              {i.task}
              {i.limit !== undefined ? ` limit=${i.limit}` : ''}
              {i.numFewshot !== undefined ? ` fewshot=${i.numFewshot}` : ''}
              {i.maxTokens !== undefined ? ` max_tokens=${i.maxTokens}` : ''}
              {i.judgeMaxTokens !== undefined ? ` judge_max_tokens=${i.judgeMaxTokens}` : ''}
              {i.temperature !== undefined ? ` temperature=${i.temperature}` : ''}
            </code>
          ))}
        </p>
      ) : null}
      <ImportTaskForm />
      {preflight.data ? (
        <table className="table preflight" aria-label="Capability check">
          <tbody>
            {preflight.data.verdicts.map((v) => (
              <tr key={`${v.target}-${v.task}`}>
                <td>{v.targetLabel}</td>
                <td>{v.task}</td>
                <td>
                  <StatusBadge tone={v.isOk ? 'ok' : 'bad'}>{v.isOk ? 'ok' : 'refused'}</StatusBadge>{' '}
                  {v.reason}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ErrorText error={preflight.error} />
      <button
        type="button"
        className="button run-button"
        disabled={!request || isBlocked || enqueue.isPending}
        onClick={() => request && enqueue.mutate(request)}
      >
        Run
      </button>
      <ErrorText error={enqueue.error} />
    </section>
  );
}

function JobsCard() {
  const jobs = useJobs();
  const cancel = useCancelJob();
  const list = jobs.data ?? [];
  const done = list.filter((j) => j.status === 'succeeded' && j.runId);
  return (
    <section className="card" aria-label="Runs">
      <h2>Runs</h2>
      {list.length === 0 ? <p className="muted">Nothing queued.</p> : null}
      {list.length ? (
        <table className="table jobs">
          <thead>
            <tr>
              <th>task</th>
              <th>model</th>
              <th>status</th>
              <th>progress</th>
              <th className="num">done / failed / total</th>
              <th className="num">rate</th>
              <th className="num">ETA</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((j) => {
              const p = j.progress;
              return (
                <tr key={j.id} data-job={j.id}>
                  <td>{j.runId ? <Link to={evalRunHref(j.runId)}>{j.task}</Link> : j.task}</td>
                  <td>
                    {j.modelName ?? j.endpointName}
                    {j.judgeEndpointName ? (
                      <span className="muted"> judged by {j.judgeEndpointName}</span>
                    ) : null}
                  </td>
                  <td>
                    <StatusBadge tone={JOB_TONE[j.status]}>{j.status}</StatusBadge>
                    {j.error ? <span className="muted"> {j.error}</span> : null}
                  </td>
                  <td>
                    <ProgressBar
                      value={p?.done ?? 0}
                      max={p?.total ?? 0}
                      label={`Progress of ${j.task} on ${j.modelName ?? j.endpointName}`}
                    />
                  </td>
                  <td className="num">{p ? `${p.done} / ${p.failed} / ${p.total}` : '—'}</td>
                  <td className="num">{p ? `${p.ratePerSec.toFixed(2)}/s` : '—'}</td>
                  <td className="num">
                    {p?.etaSec != null && j.status === 'running' ? `${Math.ceil(p.etaSec)} s` : '—'}
                  </td>
                  <td>
                    {j.status === 'queued' || j.status === 'running' ? (
                      <button
                        type="button"
                        className="button button-ghost"
                        onClick={() => cancel.mutate(j.id)}
                      >
                        Cancel
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {done.length >= 2 && done[0]?.runId && done[1]?.runId ? (
        <p>
          <Link to={evalCompareHref(done[1].runId, done[0].runId)}>Compare the last two runs</Link>
        </p>
      ) : null}
    </section>
  );
}

/** The one-click evaluation page: endpoints and models, a suite, Run, and live progress. */
export function RunPage() {
  useEvalEvents();
  return (
    <div>
      <PageHeader title="Evaluations">
        <p className="muted">
          One pinned process for everyone. <Link to={paths.leaderboard.path}>Leaderboard</Link> ·{' '}
          <Link to={paths.outbox.path}>Notifications outbox</Link>
        </p>
      </PageHeader>
      <div className="eval-grid">
        <ErrorBoundary area="Endpoints">
          <EndpointsCard />
        </ErrorBoundary>
        <ErrorBoundary area="Models">
          <RegisterModelCard />
        </ErrorBoundary>
      </div>
      <ErrorBoundary area="Run">
        <RunCard />
      </ErrorBoundary>
      <ErrorBoundary area="Runs">
        <JobsCard />
      </ErrorBoundary>
    </div>
  );
}
