import { z } from 'zod';

export const ExampleRowSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  field: z.string().optional(),
  excerpt: z.string().optional(),
});
export type ExampleRow = z.infer<typeof ExampleRowSchema>;

export const SeveritySchema = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

/** One kind of problem found in a dataset: how many rows have it, and example rows by line. */
export const FindingSchema = z.object({
  code: z.string(),
  severity: SeveritySchema,
  message: z.string(),
  field: z.string().optional(),
  count: z.number().int(),
  examples: z.array(ExampleRowSchema),
});
export type Finding = z.infer<typeof FindingSchema>;
