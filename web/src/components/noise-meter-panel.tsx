import type { NoiseResult } from '../../../src/viz/index.js';
import { LineChart } from './line-chart';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const COLORS = {
  gold: 'var(--ok)',
  noise: 'var(--bad)',
  question: 'var(--accent)',
  sink: 'var(--warn)',
  other: 'var(--muted)',
};

/** The RAG attention-noise meter: headline, shares over layers, a table per document, gold placements. */
export function NoiseMeterPanel({ result }: { result: NoiseResult }) {
  const r = result.report;
  const series = (['gold', 'noise', 'question', 'sink'] as const).map((k) => ({
    name: k,
    color: COLORS[k],
    points: r.layers.map((s, l) => ({ x: l, y: s[k] })),
  }));
  return (
    <div className="noise-meter">
      <p className="noise-headline">
        <span className="muted">Answer-to-noise ratio</span>{' '}
        <strong data-testid="answer-to-noise">
          {r.answerToNoise === null ? 'no attention on other documents' : r.answerToNoise.toFixed(2)}
        </strong>{' '}
        <span className="muted">
          gold {pct(r.overall.gold)} · noise {pct(r.overall.noise)} · question {pct(r.overall.question)} ·
          sink {pct(r.overall.sink)} · other {pct(r.overall.other)}
        </span>
      </p>
      <p className="muted">
        Answer{r.answerGenerated ? ' (generated)' : ''}: <span className="rendered-text">{r.answer}</span> ·{' '}
        {r.answerTokens} tokens · log p(answer) {r.answerLogprob.toFixed(3)}
      </p>
      <LineChart
        series={series}
        title="Share of the answer's attention, per layer (head mean)"
        xLabel="layer"
      />
      <table className="table noise-documents">
        <caption>Per document: attention beside attribution</caption>
        <thead>
          <tr>
            <th>document</th>
            <th>gold</th>
            <th>tokens</th>
            <th>attention share</th>
            <th>log-prob drop without it</th>
          </tr>
        </thead>
        <tbody>
          {r.documents.map((d) => (
            <tr key={d.docIndex}>
              <td>{d.title}</td>
              <td>{d.gold ? 'gold' : ''}</td>
              <td>{d.tokens}</td>
              <td>{pct(d.share)}</td>
              <td>{d.looDrop === null ? '—' : d.looDrop.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.placements.length > 0 && (
        <>
          <table className="table noise-placements">
            <caption>Move the gold document (lost in the middle)</caption>
            <thead>
              <tr>
                <th>gold placed</th>
                <th>gold</th>
                <th>noise</th>
                <th>ratio</th>
                <th>log p(answer)</th>
              </tr>
            </thead>
            <tbody>
              {result.placements.map((p) => (
                <tr key={p.placement}>
                  <td>
                    {p.placement} (#{p.goldPosition + 1})
                  </td>
                  <td>{pct(p.overall.gold)}</td>
                  <td>{pct(p.overall.noise)}</td>
                  <td>{p.answerToNoise === null ? '—' : p.answerToNoise.toFixed(2)}</td>
                  <td>{p.answerLogprob.toFixed(3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LineChart
            title="Gold share per layer, by placement"
            xLabel="layer"
            series={result.placements.map((p, i) => ({
              name: p.placement,
              color: ['var(--ok)', 'var(--warn)', 'var(--bad)'][i] ?? 'var(--muted)',
              points: p.goldByLayer.map((y, l) => ({ x: l, y })),
            }))}
          />
        </>
      )}
    </div>
  );
}
