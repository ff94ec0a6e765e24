import type { InspectionReport } from './inspect-dataset.js';

export interface ReportDiff {
  rows: { before: number; after: number; change: number };
  fieldsAdded: string[];
  fieldsRemoved: string[];
  typeChanges: { field: string; before: Record<string, number>; after: Record<string, number> }[];
  /** Per field: presence and mean/p90 character length before and after, and the relative change of the mean. */
  lengthDrift: {
    field: string;
    meanBefore: number;
    meanAfter: number;
    p90Before: number;
    p90After: number;
    relativeChange: number;
  }[];
  presenceDrift: { field: string; before: number; after: number }[];
  /** Total variation distance between the language mixes (0 = same, 1 = disjoint). */
  languageDrift: number;
  languagesBefore: Record<string, number>;
  languagesAfter: Record<string, number>;
  summary: string[];
}

const mainType = (t: Record<string, number>) => Object.entries(t).sort((a, b) => b[1] - a[1])[0]?.[0];

/** Compares two inspection reports: schema changes, row counts, and drift of lengths, languages and field presence. */
export function diffReports(before: InspectionReport, after: InspectionReport): ReportDiff {
  const b = new Map(before.fields.filter((f) => f.present > 0).map((f) => [f.name, f]));
  const a = new Map(after.fields.filter((f) => f.present > 0).map((f) => [f.name, f]));
  const fieldsAdded = [...a.keys()].filter((k) => !b.has(k));
  const fieldsRemoved = [...b.keys()].filter((k) => !a.has(k));
  const typeChanges: ReportDiff['typeChanges'] = [];
  const lengthDrift: ReportDiff['lengthDrift'] = [];
  const presenceDrift: ReportDiff['presenceDrift'] = [];
  for (const [name, fa] of a) {
    const fb = b.get(name);
    if (!fb) continue;
    if (mainType(fa.types) !== mainType(fb.types))
      typeChanges.push({ field: name, before: fb.types, after: fa.types });
    const rel =
      fb.chars.mean > 0 ? (fa.chars.mean - fb.chars.mean) / fb.chars.mean : fa.chars.mean > 0 ? 1 : 0;
    lengthDrift.push({
      field: name,
      meanBefore: fb.chars.mean,
      meanAfter: fa.chars.mean,
      p90Before: fb.chars.p90,
      p90After: fa.chars.p90,
      relativeChange: rel,
    });
    const pb = before.rows ? fb.present / before.rows : 0;
    const pa = after.rows ? fa.present / after.rows : 0;
    if (Math.abs(pa - pb) > 0.01) presenceDrift.push({ field: name, before: pb, after: pa });
  }
  const dist = (r: InspectionReport) => {
    const total = Object.values(r.languages).reduce((x, y) => x + y, 0) || 1;
    return Object.fromEntries(Object.entries(r.languages).map(([k, v]) => [k, v / total]));
  };
  const lb = dist(before);
  const la = dist(after);
  const keys = new Set([...Object.keys(lb), ...Object.keys(la)]);
  let tv = 0;
  for (const k of keys) tv += Math.abs((la[k] ?? 0) - (lb[k] ?? 0));
  const languageDrift = tv / 2;
  const summary: string[] = [];
  if (fieldsAdded.length) summary.push(`fields added: ${fieldsAdded.join(', ')}`);
  if (fieldsRemoved.length) summary.push(`fields removed: ${fieldsRemoved.join(', ')}`);
  for (const t of typeChanges)
    summary.push(`type of "${t.field}" changed: ${mainType(t.before)} → ${mainType(t.after)}`);
  summary.push(`rows ${before.rows} → ${after.rows}`);
  for (const d of lengthDrift)
    if (Math.abs(d.relativeChange) > 0.2)
      summary.push(
        `mean length of "${d.field}" ${d.meanBefore.toFixed(0)} → ${d.meanAfter.toFixed(0)} chars`,
      );
  if (languageDrift > 0.1) summary.push(`language mix moved by ${(languageDrift * 100).toFixed(0)}%`);
  return {
    rows: { before: before.rows, after: after.rows, change: after.rows - before.rows },
    fieldsAdded,
    fieldsRemoved,
    typeChanges,
    lengthDrift,
    presenceDrift,
    languageDrift,
    languagesBefore: lb,
    languagesAfter: la,
    summary,
  };
}
