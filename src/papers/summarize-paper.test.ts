import { describe, expect, test } from 'vitest';
import { startFakeOpenAi } from '../../tests/papers/fake-openai-chat.js';
import type { Paper } from './paper.js';
import {
  buildSummaryPrompt,
  createSummarizer,
  detectLanguage,
  SUMMARY_PROMPT_VERSION,
} from './summarize-paper.js';

const paper: Paper = {
  arxivId: '2401.00001',
  version: 1,
  title: 'Direct Preference Optimization',
  abstract: 'We fine-tune language models from preferences without a reward model.',
  authors: ['A'],
  categories: ['cs.CL'],
  announceType: 'new',
  sources: ['arxiv-rss'],
  url: 'https://arxiv.org/abs/2401.00001',
};
const KO =
  '문제: 보상 모델 없이 선호도로 학습하기 어렵다.\n방법: DPO 손실로 직접 최적화한다.\n결과: RLHF와 비슷한 성능.\n의미: 우리 팀의 DPO 파이프라인에 바로 쓸 수 있다.';
const EN =
  'Problem: learning from preferences needs a reward model.\nMethod: a DPO loss.\nResult: matches RLHF.\nWhy it matters: simpler pipeline.';

describe('detectLanguage', () => {
  test.each([
    [KO, 'ko'],
    [EN, 'en'],
    ['DPO와 RLHF의 reward model 비교 연구입니다', 'ko'],
    ['12345 !!!', 'unknown'],
    ['これは日本語の要約です。よろしくお願いします。', 'unknown'],
  ])('%s', (text, want) => expect(detectLanguage(text)).toBe(want));
});

describe('summarizer through the openai client (protocol fake; a tiny model output has no language)', {
  timeout: 15_000,
}, () => {
  test('asks for the configured language in a versioned prompt and accepts a Korean answer', async () => {
    const fake = await startFakeOpenAi({ reply: () => KO });
    const s = createSummarizer({ baseURL: fake.baseURL, model: 'm', language: 'ko' });
    const r = await s.summarize(paper);
    expect(r).toMatchObject({
      text: KO,
      status: 'ok',
      language: 'ko',
      attempts: 1,
      promptVersion: SUMMARY_PROMPT_VERSION,
    });
    expect(r.usage).toEqual({ promptTokens: 100, completionTokens: 40 });
    expect(fake.calls[0]?.messages[0]?.content).toContain('Korean');
    expect(buildSummaryPrompt(paper, 'en')[0]?.content).toContain('English');
  });

  test('an answer in the wrong language is retried with a stricter prompt, then marked', async () => {
    const fake = await startFakeOpenAi({ reply: (_m, call) => (call === 1 ? EN : EN) });
    const s = createSummarizer({ baseURL: fake.baseURL, model: 'm', language: 'ko' });
    const r = await s.summarize(paper);
    expect(r).toMatchObject({ status: 'wrong-language', detected: 'en', attempts: 2 });
    expect(fake.calls[1]?.messages[0]?.content).toContain('previous answer was not in Korean');
  });

  test('a retry that comes back right is accepted', async () => {
    const fake = await startFakeOpenAi({ reply: (_m, call) => (call === 1 ? KO : EN) });
    const s = createSummarizer({ baseURL: fake.baseURL, model: 'm', language: 'en' });
    expect(await s.summarize(paper)).toMatchObject({ status: 'ok', text: EN, attempts: 2 });
  });

  test('an endpoint error is AB_PAPERS_SUMMARY_FAILED with the status', async () => {
    const fake = await startFakeOpenAi({ reply: () => ({ status: 400 }) });
    const s = createSummarizer({ baseURL: fake.baseURL, model: 'm', language: 'en', maxRetries: 0 });
    await expect(s.summarize(paper)).rejects.toMatchObject({
      code: 'AB_PAPERS_SUMMARY_FAILED',
      message: expect.stringContaining('HTTP 400'),
    });
  });
});
