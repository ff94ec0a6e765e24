import { randomUUID } from 'node:crypto';
import { parseAt } from '../common/errors.js';
import { getModel } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { publishEvent, type RoutingOptions } from './routing.js';
import { type PublishResult, type Report, type ReportInput, ReportInputSchema } from './routing-schemas.js';

/** How much of a report's text goes into the message; the rest is on the model page. */
const REPORT_EXCERPT_CHARS = 12_000;

/**
 * Uploads an external evaluation report against a model and tells its owner and subscribers at
 * once (`external-report`): the lesson of the harsh report that was mentioned in passing.
 */
export async function uploadReport(
  store: Store,
  modelRef: string,
  input: ReportInput,
  opts: RoutingOptions & { hubUrl?: string } = {},
): Promise<{ report: Report; published: PublishResult }> {
  const r = parseAt(ReportInputSchema, input, { field: 'report' });
  const model = await getModel(store, modelRef);
  const report: Report = {
    id: randomUUID(),
    modelId: model.id,
    fileName: r.fileName,
    content: r.content,
    note: r.note,
    uploadedBy: r.uploadedBy ?? null,
    createdAt: new Date().toISOString(),
  };
  await store.db
    .insertInto('notify_reports')
    .values({
      id: report.id,
      model_id: report.modelId,
      file_name: report.fileName,
      content: report.content,
      note: report.note,
      uploaded_by: report.uploadedBy,
      created_at: report.createdAt,
    })
    .execute();
  const excerptText =
    r.content.length > REPORT_EXCERPT_CHARS ? `${r.content.slice(0, REPORT_EXCERPT_CHARS)}…` : r.content;
  const published = await publishEvent(
    store,
    {
      type: 'external-report',
      modelId: model.id,
      owner: model.owner,
      title: `External report received for ${model.name}@${model.version}`,
      facts: [
        ['model', `${model.name}@${model.version}`],
        ['owner', model.owner ?? '(none)'],
        ['file', r.fileName],
        ...(r.uploadedBy ? ([['uploaded by', r.uploadedBy]] as [string, string][]) : []),
      ],
      body: [r.note, excerptText].filter(Boolean).join('\n\n'),
      ...(opts.hubUrl && { href: `${opts.hubUrl}/models/${encodeURIComponent(model.id)}` }),
    },
    opts,
  );
  return { report, published };
}

export async function listReports(store: Store, modelId: string): Promise<Report[]> {
  const rows = await store.db
    .selectFrom('notify_reports')
    .selectAll()
    .where('model_id', '=', modelId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((x) => ({
    id: x.id,
    modelId: x.model_id,
    fileName: x.file_name,
    content: x.content,
    note: x.note,
    uploadedBy: x.uploaded_by,
    createdAt: x.created_at,
  }));
}
