// Request bodies of the OpenAI-compatible engine API, as vLLM accepts them (a subset of OpenAI's).
import { z } from 'zod';

const stop = z.union([z.string(), z.array(z.string()).max(16)]).nullish();
const tokenIds = z.array(z.number().int().nonnegative());

const Sampling = {
  model: z.string().optional(),
  max_tokens: z.number().int().nonnegative().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(-1).nullish(),
  n: z.number().int().min(1).max(16).nullish(),
  stop,
  seed: z.number().int().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().optional(),
};

export const CompletionRequestSchema = z.object({
  ...Sampling,
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokenIds.min(1), z.array(tokenIds.min(1)).min(1)]),
  logprobs: z.number().int().min(0).max(20).nullish(),
  echo: z.boolean().nullish(),
  /** vLLM's extension: each choice carries `token_ids`, the sampled ids (stop token included), without streaming. */
  return_token_ids: z.boolean().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

const ContentPart = z.object({ type: z.literal('text'), text: z.string() });
export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(ContentPart)]).nullable(),
  name: z.string().optional(),
});

export const ChatCompletionRequestSchema = z.object({
  ...Sampling,
  messages: z.array(ChatMessageSchema).min(1),
  max_completion_tokens: z.number().int().positive().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  add_generation_prompt: z.boolean().optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export const TokenizeRequestSchema = z.union([
  z.object({ model: z.string().optional(), prompt: z.string(), add_special_tokens: z.boolean().optional() }),
  z.object({
    model: z.string().optional(),
    messages: z.array(ChatMessageSchema).min(1),
    add_generation_prompt: z.boolean().optional(),
    add_special_tokens: z.boolean().optional(),
  }),
]);

export const DetokenizeRequestSchema = z.object({ model: z.string().optional(), tokens: tokenIds });
