import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ConsumptionReportSchema,
  ContractSummarySchema,
  checkDataset,
  DataError,
  DataSourceInputSchema,
  DatasetListSchema,
  DataVersionSchema,
  DataVersionSummarySchema,
  describeContract,
  diffVersions,
  getDataVersion,
  InspectionReportSchema,
  IntakeInputSchema,
  inspectDataset,
  intakeDataset,
  intakeDatasetIter,
  listContracts,
  listDatasets,
  listDataVersions,
  loadTrainingTemplate,
  parseContract,
  readVersionRows,
  resolveContract,
  StoredContractSchema,
  saveContract,
  VersionDiffSchema,
  VersionRowsSchema,
} from '../../data/index.js';
import type { RouteDeps } from '../route-deps.js';
import { ApiErrorSchema } from '../schemas.js';
import { sendEvents } from '../sse.js';

const IdParams = z.object({ id: z.string().min(1).max(400) });
const NameParams = z.object({ name: z.string().min(1).max(200) });
const ContractParams = z.object({
  name: z.string().min(1).max(200),
  version: z.coerce.number().int().positive(),
});
const DiffQuery = z.object({ before: z.string().min(1).max(400), after: z.string().min(1).max(400) });
const RowsQuery = z.object({
  line: z.coerce.number().int().positive(),
  file: z.string().max(4096).optional(),
  context: z.coerce.number().int().min(0).max(20).optional(),
});
const ContractBody = z.object({ text: z.string().min(1).max(1_000_000) });
const CheckResultSchema = z.object({
  report: InspectionReportSchema,
  consumption: ConsumptionReportSchema.optional(),
  decision: z.object({
    status: DataVersionSummarySchema.shape.status,
    reasons: DataVersionSummarySchema.shape.reasons,
  }),
});
const errors = { 400: ApiErrorSchema, 404: ApiErrorSchema, 409: ApiErrorSchema };
const tags = ['data'];

/**
 * `/api/data`: datasets and their versions with gate status and reports, contracts, inspection,
 * check and intake of a path on the server's disk (intake streams progress as SSE when asked
 * for `text/event-stream`), version diffs, consumption reports and the rows findings point at.
 */
export const dataRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, log }) => {
  const dlog = log.child({ domain: 'data' });
  /** A request's contract reference and model folder, resolved by the domain. */
  const inputsOf = async (b: { contract?: string; template?: string; maxLength?: number }) => ({
    ...(b.contract ? { contract: await resolveContract(b.contract, { store }) } : {}),
    ...(b.template ? await loadTrainingTemplate(b.template) : {}),
    ...(b.maxLength ? { maxLength: b.maxLength } : {}),
  });

  app.get(
    '/datasets',
    { schema: { summary: 'Datasets with their latest version', tags, response: { 200: DatasetListSchema } } },
    async () => listDatasets(store),
  );

  app.get(
    '/datasets/:name/versions',
    {
      schema: {
        summary: 'Versions of a dataset, newest first',
        tags,
        params: NameParams,
        response: { 200: z.array(DataVersionSummarySchema), ...errors },
      },
    },
    async (req) => {
      const versions = await listDataVersions(store, req.params.name);
      if (!versions.length)
        throw new DataError(
          'AB_DATA_DATASET_NOT_FOUND',
          `no dataset "${req.params.name}"`,
          { field: 'name' },
          { status: 404 },
        );
      return versions;
    },
  );

  app.get(
    '/versions/diff',
    {
      schema: {
        summary: 'Compare two dataset versions',
        tags,
        querystring: DiffQuery,
        response: { 200: VersionDiffSchema, ...errors },
      },
    },
    async (req) => diffVersions(store, req.query.before, req.query.after),
  );

  app.get(
    '/versions/:id',
    {
      schema: {
        summary: 'A dataset version with its report, consumption check and diff',
        tags,
        params: IdParams,
        response: { 200: DataVersionSchema, ...errors },
      },
    },
    async (req) => getDataVersion(store, req.params.id),
  );

  app.get(
    '/versions/:id/consumption',
    {
      schema: {
        summary: 'The field-consumption report of a version',
        tags,
        params: IdParams,
        response: { 200: ConsumptionReportSchema, ...errors },
      },
    },
    async (req) => {
      const v = await getDataVersion(store, req.params.id);
      if (!v.consumption)
        throw new DataError(
          'AB_DATA_VERSION_NOT_FOUND',
          `version "${v.id}" was taken in without a template; no consumption check ran`,
          { field: 'template' },
          { status: 404 },
        );
      return v.consumption;
    },
  );

  app.get(
    '/versions/:id/rows',
    {
      schema: {
        summary: 'Source text of the rows a finding points at',
        tags,
        params: IdParams,
        querystring: RowsQuery,
        response: { 200: VersionRowsSchema, ...errors },
      },
    },
    async (req) => readVersionRows(store, req.params.id, { ...req.query }),
  );

  app.get(
    '/contracts',
    {
      schema: {
        summary: 'Stored contract versions',
        tags,
        response: { 200: z.array(ContractSummarySchema) },
      },
    },
    async () => listContracts(store),
  );

  app.get(
    '/contracts/:name/versions/:version',
    {
      schema: {
        summary: 'A stored contract version',
        tags,
        params: ContractParams,
        response: { 200: StoredContractSchema, ...errors },
      },
    },
    async (req) =>
      describeContract(await resolveContract(`${req.params.name}@v${req.params.version}`, { store })),
  );

  app.post(
    '/contracts',
    {
      schema: {
        summary: 'Store a contract version (YAML text)',
        tags,
        body: ContractBody,
        response: { 201: StoredContractSchema, ...errors },
      },
    },
    async (req, reply) => {
      const loaded = parseContract(req.body.text);
      await saveContract(store, loaded);
      return reply.status(201).send(describeContract(loaded));
    },
  );

  app.post(
    '/inspect',
    {
      schema: {
        summary: 'Inspect a file or folder on the server (optionally against a contract)',
        tags,
        body: DataSourceInputSchema,
        response: { 200: InspectionReportSchema, ...errors },
      },
    },
    async (req) => {
      const { contract, ...rest } = await inputsOf(req.body);
      return inspectDataset(req.body.path, { ...rest, contract: contract?.contract, log: dlog });
    },
  );

  app.post(
    '/check',
    {
      schema: {
        summary: 'Check a file or folder: contract, consumption (with a template) and gate, nothing stored',
        tags,
        body: DataSourceInputSchema,
        response: { 200: CheckResultSchema, ...errors },
      },
    },
    async (req) => {
      const { contract, ...rest } = await inputsOf(req.body);
      return checkDataset(req.body.path, { ...rest, contract: contract?.contract, log: dlog });
    },
  );

  app.post(
    '/versions',
    {
      schema: {
        summary: 'Intake a file or folder through the gate; `accept: text/event-stream` streams progress',
        tags,
        body: IntakeInputSchema,
        response: { 201: DataVersionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const { contract, ...rest } = await inputsOf(req.body);
      if (!contract) throw new Error('IntakeInputSchema requires a contract');
      const opts = { ...rest, store, dataset: req.body.dataset, contract, log: dlog };
      if (req.headers.accept?.includes('text/event-stream'))
        return sendEvents(reply, intakeDatasetIter(req.body.path, opts));
      return reply.status(201).send(await intakeDataset(req.body.path, opts));
    },
  );
};
