// Wire schemas of the attention lab: inputs (validated at the edge by the server and the CLI) and
// the views it returns (the web app imports the types; the static HTML export inlines the data).
import { z } from 'zod';

export const RagDocumentSchema = z.object({
  title: z.string().max(1000).optional(),
  text: z.string().min(1),
  /** A document that holds the answer. */
  gold: z.boolean().optional(),
});
export type RagDocument = z.infer<typeof RagDocumentSchema>;

export const ChatMessageSchema = z.object({ role: z.string().min(1), content: z.string() });

export const AttentionInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string().min(1) }),
  z.object({ kind: z.literal('chat'), messages: z.array(ChatMessageSchema).min(1) }),
  z.object({
    kind: z.literal('rag'),
    system: z.string().optional(),
    question: z.string().min(1),
    documents: z.array(RagDocumentSchema).min(1),
    /** The answer to read attention from; generated greedily when absent. */
    answer: z.string().optional(),
  }),
]);
export type AttentionInput = z.infer<typeof AttentionInputSchema>;
export type RagInput = Extract<AttentionInput, { kind: 'rag' }>;

export const SegmentKindSchema = z.enum(['system', 'question', 'document', 'answer', 'prompt', 'template']);
export type SegmentKind = z.infer<typeof SegmentKindSchema>;

export const SegmentSchema = z.object({
  index: z.number().int(),
  kind: SegmentKindSchema,
  label: z.string(),
  docIndex: z.number().int().optional(),
  gold: z.boolean().optional(),
  tokenCount: z.number().int(),
});
export type Segment = z.infer<typeof SegmentSchema>;

export const TokenSchema = z.object({
  id: z.number().int(),
  text: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  segment: z.number().int(),
});
export type TokenInfo = z.infer<typeof TokenSchema>;

export const WindowSchema = z.object({
  /** Inclusive layer range [first, last]. */
  layers: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  /** Inclusive head range [first, last]. */
  heads: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});
export type AttentionWindow = z.infer<typeof WindowSchema>;

export const MatrixSchema = z.object({
  layer: z.number().int(),
  head: z.number().int(),
  /**
   * The lower triangle, row by row (row t has t + 1 values), each probability quantized to
   * round(p * 65535) as little-endian uint16, base64-encoded: 2 bytes a cell instead of ~8 in JSON.
   */
  tril: z.string(),
});
export type Matrix = z.infer<typeof MatrixSchema>;

export const HeadStatSchema = z.object({
  /** Mean attention on the first token (the attention sink). */
  sink: z.number(),
  /** Mean attention on the previous token. */
  previous: z.number(),
  /** Mean entropy of a row, in nats. */
  entropy: z.number(),
});

/** Which implementation runs the forward pass; 'auto' takes the ONNX fast path when it is available. */
export const ForwardPathSchema = z
  .enum(['reference', 'onnx', 'auto'])
  .describe(
    'reference: the TypeScript forward; onnx: onnxruntime-node (Llama family); auto: onnx when available',
  );

export const AttentionViewSchema = z.object({
  model: z.object({
    name: z.string(),
    architecture: z.enum(['llama', 'gpt2']),
    modelType: z.string(),
    L: z.number().int(),
    H: z.number().int(),
    /** The implementation that computed the view. */
    path: z.enum(['reference', 'onnx']).optional(),
  }),
  text: z.string(),
  tokens: z.array(TokenSchema),
  segments: z.array(SegmentSchema),
  /** [layer][head][querySegment][keySegment]: mean over query tokens of the attention on the key segment; rows sum to 1. */
  segmentShares: z.array(z.array(z.array(z.array(z.number())))),
  /** [layer][querySegment][keySegment], the head mean of segmentShares. */
  layerSegmentShares: z.array(z.array(z.array(z.number()))),
  /** [layer][head]: statistics for the model view's labels. */
  headStats: z.array(z.array(HeadStatSchema)),
  /** Thumbnails for the model view: [layer][head] of bins × bins (row-major), pooled so each row sums to 1. */
  thumbnails: z.object({ bins: z.number().int(), data: z.array(z.array(z.array(z.number()))) }),
  /** Attention of token `query` back over the input: [layer][key], head mean. */
  saliency: z.object({ query: z.number().int(), layers: z.array(z.array(z.number())) }),
  window: WindowSchema,
  matrices: z.array(MatrixSchema),
});
export type AttentionView = z.infer<typeof AttentionViewSchema>;

export const ShareSchema = z.object({
  gold: z.number(),
  noise: z.number(),
  question: z.number(),
  sink: z.number(),
  other: z.number(),
});
export type Shares = z.infer<typeof ShareSchema>;

export const NoiseReportSchema = z.object({
  model: z.string(),
  answer: z.string(),
  answerGenerated: z.boolean(),
  answerTokens: z.number().int(),
  /** Shares per layer (head mean, answer-token mean). */
  layers: z.array(ShareSchema),
  /** Over all layers. */
  overall: ShareSchema,
  /** gold share ÷ noise share over all layers; null when no attention lands on other documents. */
  answerToNoise: z.number().nullable(),
  documents: z.array(
    z.object({
      docIndex: z.number().int(),
      title: z.string(),
      gold: z.boolean(),
      tokens: z.number().int(),
      /** Share of the answer's attention on this document, over all layers. */
      share: z.number(),
      /** Per layer. */
      layers: z.array(z.number()),
      /** log p(answer) with all documents minus without this one; null when not computed. */
      looDrop: z.number().nullable(),
    }),
  ),
  answerLogprob: z.number(),
});
export type NoiseReport = z.infer<typeof NoiseReportSchema>;

export const PlacementSchema = z.object({
  placement: z.enum(['first', 'middle', 'last']),
  goldPosition: z.number().int(),
  answer: z.string(),
  overall: ShareSchema,
  goldByLayer: z.array(z.number()),
  answerToNoise: z.number().nullable(),
  answerLogprob: z.number(),
});
export type Placement = z.infer<typeof PlacementSchema>;

export const NoiseResultSchema = z.object({
  report: NoiseReportSchema,
  /** The "move the gold document" demo: the same question with the gold document first, middle and last. */
  placements: z.array(PlacementSchema),
  view: AttentionViewSchema,
});
export type NoiseResult = z.infer<typeof NoiseResultSchema>;

// ---- requests (server bodies and CLI files) ----

const ModelRefSchema = z
  .string()
  .min(1)
  .describe('a model folder or a registry model (id, name@version or name)');

export const AttentionRequestSchema = z.object({
  model: ModelRefSchema,
  input: AttentionInputSchema,
  window: WindowSchema.optional(),
  query: z.number().int().nonnegative().optional(),
  path: ForwardPathSchema.optional(),
});
export type AttentionRequest = z.infer<typeof AttentionRequestSchema>;

export const CompareRequestSchema = z.object({
  models: z.tuple([ModelRefSchema, ModelRefSchema]),
  input: AttentionInputSchema,
  window: WindowSchema.optional(),
  query: z.number().int().nonnegative().optional(),
  path: ForwardPathSchema.optional(),
});
export type CompareRequest = z.infer<typeof CompareRequestSchema>;

export const CompareResultSchema = z.object({ views: z.array(AttentionViewSchema) });
export type CompareResult = z.infer<typeof CompareResultSchema>;

export const RagInputSchema = AttentionInputSchema.options[2];

export const NoiseRequestSchema = z.object({
  model: ModelRefSchema,
  input: RagInputSchema,
  leaveOneOut: z.boolean().optional(),
  placements: z.boolean().optional(),
  maxNewTokens: z.number().int().min(1).max(256).optional(),
  window: WindowSchema.optional(),
  path: ForwardPathSchema.optional(),
});
export type NoiseRequest = z.infer<typeof NoiseRequestSchema>;

export const ExportRequestSchema = z.discriminatedUnion('kind', [
  AttentionRequestSchema.extend({ kind: z.literal('attention') }),
  CompareRequestSchema.extend({ kind: z.literal('compare') }),
  NoiseRequestSchema.extend({ kind: z.literal('noise') }),
]);
export type ExportRequest = z.infer<typeof ExportRequestSchema>;
