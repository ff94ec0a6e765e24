import { z } from 'zod';
import { FindingSchema } from './findings.js';

/**
 * Wire schemas of the data domain: what `/api/data` answers and what the web app reads through
 * `import type`. This file imports only zod (and `findings.ts`, zod only), so the browser build
 * never pulls in Node code. The route plugin's type provider checks that the domain's types
 * (`InspectionReport`, `DataVersion`, …) satisfy these schemas.
 */

export const LengthStatsSchema = z.object({
  count: z.number(),
  mean: z.number(),
  max: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  /** Counts per bucket k, covering lengths [2^(k/4) - 1, 2^((k+1)/4) - 1). */
  histogram: z.array(z.number()),
});
export type LengthStatsWire = z.infer<typeof LengthStatsSchema>;

export const FieldReportSchema = z.object({
  name: z.string(),
  status: z.enum(['declared', 'unknown', 'deprecated', 'missing', 'seen']),
  present: z.number(),
  nullOrEmpty: z.number(),
  nullOrEmptyRate: z.number(),
  types: z.record(z.string(), z.number()),
  chars: LengthStatsSchema,
  tokens: LengthStatsSchema.optional(),
});

export const InspectionReportSchema = z.object({
  target: z.string(),
  files: z.array(z.object({ file: z.string(), rows: z.number(), bytes: z.number() })),
  format: z.string().optional(),
  contract: z.object({ name: z.string(), version: z.number() }).optional(),
  rows: z.number(),
  badRows: z.number(),
  bytes: z.number(),
  durationMs: z.number(),
  fields: z.array(FieldReportSchema),
  tokens: z
    .object({
      sampledRows: z.number(),
      maxLength: z.number().optional(),
      answerTruncatedRows: z.number(),
      answerRows: z.number(),
    })
    .optional(),
  duplicates: z.object({
    exact: z.number(),
    crossSplit: z.number(),
    near: z.number(),
    nearSampledRows: z.number(),
  }),
  preference: z.object({
    rows: z.number(),
    chosenEqualsRejected: z.number(),
    emptySide: z.number(),
    chosenPrefix: z.number(),
    contradictory: z.number(),
  }),
  conversation: z.object({ rows: z.number(), errorRows: z.number() }),
  answers: z.object({ rows: z.number(), abruptEndings: z.number() }),
  languages: z.object({ ko: z.number(), en: z.number(), mixed: z.number(), other: z.number() }),
  pii: z.record(z.string(), z.number()),
  text: z.object({
    invalidUtf8Rows: z.number(),
    mojibakeRows: z.number(),
    controlCharRows: z.number(),
    specialTokenRows: z.number(),
  }),
  metrics: z.record(z.string(), z.number()),
  counts: z.record(z.string(), z.number()),
  findings: z.array(FindingSchema),
});
export type InspectionReportWire = z.infer<typeof InspectionReportSchema>;

const PartSchema = z.enum(['prompt', 'completion', 'chosen', 'rejected']);

export const FieldConsumptionSchema = z.object({
  field: z.string(),
  declared: z.boolean(),
  deprecated: z.object({ since: z.number(), replacedBy: z.string().optional() }).optional(),
  expected: z.enum(['prompt', 'completion', 'chosen', 'rejected', 'any', 'none']),
  status: z.enum(['rendered', 'wrong_part', 'dropped', 'truncated', 'not_present']),
  rows: z.number(),
  renderedRows: z.number(),
  droppedRows: z.number(),
  wrongPartRows: z.number(),
  truncatedRows: z.number(),
  foundIn: z.partialRecord(PartSchema, z.number()),
  exampleLines: z.array(z.number()),
});

export const ConsumptionReportSchema = z.object({
  passed: z.boolean(),
  template: z.string(),
  format: z.string(),
  rowsChecked: z.number(),
  renderErrors: z.number(),
  maxLength: z.number().optional(),
  fields: z.array(FieldConsumptionSchema),
  findings: z.array(FindingSchema),
  sample: z
    .object({
      file: z.string(),
      line: z.number(),
      rendered: z.object({
        prompt: z.string(),
        sides: z.array(
          z.object({
            part: z.enum(['completion', 'chosen', 'rejected']),
            text: z.string(),
            start: z.number(),
          }),
        ),
      }),
      markers: z.array(z.object({ field: z.string(), marker: z.string() })),
    })
    .optional(),
});
export type ConsumptionReportWire = z.infer<typeof ConsumptionReportSchema>;

export const ReportDiffSchema = z.object({
  rows: z.object({ before: z.number(), after: z.number(), change: z.number() }),
  fieldsAdded: z.array(z.string()),
  fieldsRemoved: z.array(z.string()),
  typeChanges: z.array(
    z.object({
      field: z.string(),
      before: z.record(z.string(), z.number()),
      after: z.record(z.string(), z.number()),
    }),
  ),
  lengthDrift: z.array(
    z.object({
      field: z.string(),
      meanBefore: z.number(),
      meanAfter: z.number(),
      p90Before: z.number(),
      p90After: z.number(),
      relativeChange: z.number(),
    }),
  ),
  presenceDrift: z.array(z.object({ field: z.string(), before: z.number(), after: z.number() })),
  languageDrift: z.number(),
  languagesBefore: z.record(z.string(), z.number()),
  languagesAfter: z.record(z.string(), z.number()),
  summary: z.array(z.string()),
});
export type ReportDiffWire = z.infer<typeof ReportDiffSchema>;

export const VersionStatusSchema = z.enum(['accepted', 'quarantined', 'rejected']);

export const GateReasonSchema = z.object({
  metric: z.string(),
  value: z.number(),
  rule: z.object({
    metric: z.string(),
    above: z.number().optional(),
    below: z.number().optional(),
    action: z.enum(['quarantine', 'reject']),
  }),
  message: z.string(),
  findings: z.array(
    z.object({
      code: z.string(),
      field: z.string().optional(),
      count: z.number(),
      lines: z.array(z.number()),
    }),
  ),
});

export const DataVersionSummarySchema = z.object({
  id: z.string(),
  dataset: z.string(),
  contentHash: z.string(),
  source: z.string(),
  sizeBytes: z.number(),
  rows: z.number(),
  format: z.string().optional(),
  contract: z.object({ name: z.string(), version: z.number() }).optional(),
  status: VersionStatusSchema,
  reasons: z.array(GateReasonSchema),
  previousId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DataVersionSummaryWire = z.infer<typeof DataVersionSummarySchema>;

export const DataVersionSchema = DataVersionSummarySchema.extend({
  report: InspectionReportSchema,
  consumption: ConsumptionReportSchema.optional(),
  diff: ReportDiffSchema.optional(),
});
export type DataVersionWire = z.infer<typeof DataVersionSchema>;

export const DatasetListSchema = z.array(
  z.object({ name: z.string(), versions: z.number(), latest: DataVersionSummarySchema }),
);
export type DatasetListWire = z.infer<typeof DatasetListSchema>;

export const ContractSummarySchema = z.object({
  name: z.string(),
  version: z.number(),
  hash: z.string(),
  createdAt: z.string(),
});
export type ContractSummaryWire = z.infer<typeof ContractSummarySchema>;

/** A stored contract: its YAML text as written, and the parsed rules. */
export const StoredContractSchema = z.object({
  name: z.string(),
  version: z.number(),
  hash: z.string(),
  text: z.string(),
  contract: z.record(z.string(), z.unknown()),
});
export type StoredContractWire = z.infer<typeof StoredContractSchema>;

/** Two versions and what changed between them. */
export const VersionDiffSchema = z.object({
  before: DataVersionSummarySchema,
  after: DataVersionSummarySchema,
  diff: ReportDiffSchema,
});
export type VersionDiffWire = z.infer<typeof VersionDiffSchema>;

/** Raw lines of a version's data file around a line, as text (never parsed into markup). */
export const VersionRowsSchema = z.object({
  file: z.string(),
  rows: z.array(z.object({ line: z.number(), text: z.string(), isTruncated: z.boolean() })),
});
export type VersionRowsWire = z.infer<typeof VersionRowsSchema>;

/** Where a request names a dataset on the server's disk and how to check it. */
export const DataSourceInputSchema = z.object({
  /** A file or a folder of shards, on the server's disk. */
  path: z.string().min(1).max(4096),
  /** A stored contract (`name` or `name@vN`) or a contract file on the server. */
  contract: z.string().min(1).max(4096).optional(),
  /** A model folder whose chat template and tokenizer render the rows. */
  template: z.string().min(1).max(4096).optional(),
  maxLength: z.number().int().positive().optional(),
});
export type DataSourceInput = z.infer<typeof DataSourceInputSchema>;

export const IntakeInputSchema = DataSourceInputSchema.extend({
  dataset: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" and "-"'),
  contract: z.string().min(1).max(4096),
});
export type IntakeInput = z.infer<typeof IntakeInputSchema>;
