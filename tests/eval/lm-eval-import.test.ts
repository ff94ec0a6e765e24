import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildSamples } from '../../src/eval/build-samples.js';
import { importLmEvalTask } from '../../src/eval/import-lm-eval-task.js';
import { loadDatasetSplit } from '../../src/eval/load-dataset.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { BENCHMARKS, LM_EVAL_TASKS } from './shared-paths.js';

describe('lm-eval task YAML import (real task files)', () => {
  test.each([
    [
      'gsm8k/gsm8k.yaml',
      {
        name: 'gsm8k',
        outputType: 'generate_until',
        version: '3',
        n: 5,
        split: 'test',
        fewshotSplit: 'train',
      },
    ],
    [
      'gsm8k/gsm8k-cot.yaml',
      {
        name: 'gsm8k_cot',
        outputType: 'generate_until',
        version: '3',
        n: 8,
        split: 'test',
        fewshotSplit: null,
      },
    ],
    [
      'gsm8k/gsm8k-cot-zeroshot.yaml',
      {
        name: 'gsm8k_cot_zeroshot',
        outputType: 'generate_until',
        version: '3',
        n: 0,
        split: 'test',
        fewshotSplit: 'train',
      },
    ],
    [
      'arc/arc_easy.yaml',
      {
        name: 'arc_easy',
        outputType: 'multiple_choice',
        version: '1',
        n: 0,
        split: 'test',
        fewshotSplit: 'train',
      },
    ],
    [
      'arc/arc_challenge.yaml',
      {
        name: 'arc_challenge',
        outputType: 'multiple_choice',
        version: '1',
        n: 0,
        split: 'test',
        fewshotSplit: 'train',
      },
    ],
    [
      'piqa/piqa.yaml',
      {
        name: 'piqa',
        outputType: 'multiple_choice',
        version: '1',
        n: 0,
        split: 'validation',
        fewshotSplit: 'train',
      },
    ],
    [
      'truthfulqa/truthfulqa_mc1.yaml',
      {
        name: 'truthfulqa_mc1',
        outputType: 'multiple_choice',
        version: '2',
        n: 0,
        split: 'validation',
        fewshotSplit: 'validation',
      },
    ],
  ])('%s', async (file, want) => {
    const spec = await importLmEvalTask(path.join(LM_EVAL_TASKS, file));
    expect({
      name: spec.name,
      outputType: spec.outputType,
      version: spec.version,
      n: spec.fewshot.n,
      split: spec.dataset.testSplit,
      fewshotSplit: spec.dataset.fewshotSplit,
    }).toEqual(want);
  });

  test('arc_challenge inherits arc_easy through include and overrides dataset_name', async () => {
    const spec = await importLmEvalTask(path.join(LM_EVAL_TASKS, 'arc/arc_challenge.yaml'));
    expect(spec.dataset).toMatchObject({ path: 'allenai/ai2_arc', name: 'ARC-Challenge' });
    expect(spec.metrics).toEqual([{ metric: 'acc' }, { metric: 'acc_norm' }]);
  });

  test('gsm8k filters and exact_match options are imported', async () => {
    const spec = await importLmEvalTask(path.join(LM_EVAL_TASKS, 'gsm8k/gsm8k.yaml'));
    expect(spec.filters.map((f) => f.name)).toEqual(['strict-match', 'flexible-extract']);
    expect(spec.filters[1]?.steps[0]).toEqual({
      function: 'regex',
      pattern: '(-?[$0-9.,]{2,})|(-?[0-9]+)',
      groupSelect: -1,
      fallback: '[invalid]',
    });
    expect(spec.metrics[0]).toEqual({
      metric: 'exact_match',
      ignoreCase: true,
      ignorePunctuation: false,
      regexesToIgnore: [',', '\\$', '(?s).*#### ', '\\.$'],
    });
    expect(spec.generation).toMatchObject({
      until: ['Question:', '</s>', '<|im_end|>'],
      temperature: 0,
      maxTokens: 256,
    });
  });
});

describe('unsupported keys are refused, naming the key and its line', () => {
  test.each([
    [
      '!function',
      'task: t\ndataset_path: x\ntest_split: test\ndoc_to_text: !function utils.doc_to_text\n',
      'doc_to_text',
      4,
    ],
    [
      'process_docs',
      'task: t\ndataset_path: x\ntest_split: test\nprocess_docs: !function utils.process\ndoc_to_text: q\n',
      'process_docs',
      4,
    ],
    [
      'python key',
      'task: t\ndataset_path: x\ntest_split: test\ndoc_to_text: q\nprocess_results: foo\n',
      'process_results',
      5,
    ],
    [
      'unknown key',
      'task: t\ndataset_path: x\ntest_split: test\ndoc_to_text: q\nweird_key: 1\n',
      'weird_key',
      5,
    ],
    [
      'filter function',
      'task: t\ndataset_path: x\ntest_split: test\ndoc_to_text: q\nfilter_list:\n  - name: a\n    filter:\n      - function: custom\n',
      'filter_list.0.filter.0.function',
      5,
    ],
    [
      'metric',
      'task: t\ndataset_path: x\ntest_split: test\ndoc_to_text: q\nmetric_list:\n  - metric: bleu\n',
      'metric_list.0.metric',
      5,
    ],
  ])('%s', async (_name, yaml, field, line) => {
    const dir = await makeTempDir();
    const file = path.join(dir, 'task.yaml');
    await writeFile(file, yaml);
    await expect(importLmEvalTask(file)).rejects.toMatchObject({
      code: 'AB_EVAL_TASK_UNSUPPORTED',
      where: { file, field, line },
    });
  });
});

describe('gsm8k 5-shot prompts follow lm-eval', () => {
  test('few-shot examples are random.Random(1234).sample(train, 5), one call per document in order', async () => {
    const spec = await importLmEvalTask(path.join(LM_EVAL_TASKS, 'gsm8k/gsm8k.yaml'), {
      datasetPath: path.join(BENCHMARKS, 'gsm8k'),
    });
    const { docs } = await loadDatasetSplit({
      path: spec.dataset.path,
      name: spec.dataset.name,
      split: 'test',
    });
    const { docs: train } = await loadDatasetSplit({
      path: spec.dataset.path,
      name: spec.dataset.name,
      split: 'train',
    });
    const samples = buildSamples(spec, docs, train, { limit: 3 });
    // CPython: r = random.Random(1234); [r.sample(range(7473), 5) for _ in range(3)]
    expect(samples.map((s) => s.fewshotIds)).toEqual([
      ['6374', '3610', '957', '61', '742'],
      ['7462', '6610', '4769', '286', '5501'],
      ['5677', '687', '806', '6279', '2905'],
    ]);
    // The rule, written out independently: text + " " + target + "\n\n" per example, then the question.
    const shot = (d: (typeof train)[number]) => `Question: ${d.question}\nAnswer: ${d.answer}\n\n`;
    const expected =
      [6374, 3610, 957, 61, 742].map((i) => shot(train[i] as (typeof train)[number])).join('') +
      `Question: ${docs[0]?.question}\nAnswer:`;
    const prompt = samples[0]?.prompt ?? '';
    expect(prompt).toBe(expected);
    // One rendered prompt in full (test doc 0), as lm-eval would send it.
    expect(prompt).toMatchInlineSnapshot(`
      "Question: Jen and Tyler are gymnasts practicing flips. Jen is practicing the triple-flip while Tyler is practicing the double-flip. Jen did sixteen triple-flips during practice. Tyler flipped in the air half the number of times Jen did. How many double-flips did Tyler do?
      Answer: Jen did 16 triple-flips, so she did 16 * 3 = <<16*3=48>>48 flips.
      Tyler did half the number of flips, so he did 48 / 2 = <<48/2=24>>24 flips.
      A double flip has two flips, so Tyler did 24 / 2 = <<24/2=12>>12 double-flips.
      #### 12

      Question: Four people in a law firm are planning a party. Mary will buy a platter of pasta for $20 and a loaf of bread for $2. Elle and Andrea will split the cost for buying 4 cans of soda which cost $1.50 each, and chicken wings for $10. Joe will buy a cake that costs $5. How much more will Mary spend than the rest of the firm put together?
      Answer: Mary will spend $20 + $2 = $<<20+2=22>>22.
      Elle and Andrea will spend $1.5 x 4 = $<<1.5*4=6>>6 for the soda.
      Elle and Andrea will spend $6 + $10 = $<<6+10=16>>16 for the soda and chicken wings.
      Elle, Andrea, and Joe together will spend $16 + $5 = $<<16+5=21>>21.
      So, Mary will spend $22 - $21 = $<<22-21=1>>1 more than all of them combined.
      #### 1

      Question: A charcoal grill burns fifteen coals to ash every twenty minutes of grilling. The grill ran for long enough to burn three bags of coals. Each bag of coal contains 60 coals. How long did the grill run?
      Answer: The grill burned 3 * 60 = <<3*60=180>>180 coals.
      It takes 20 minutes to burn 15 coals, so the grill ran for 180 / 15 * 20 = <<180/15*20=240>>240 minutes.
      #### 240

      Question: A bear is preparing to hibernate for the winter and needs to gain 1000 pounds. At the end of summer, the bear feasts on berries and small woodland animals. During autumn, it devours acorns and salmon. It gained a fifth of the weight it needed from berries during summer, and during autumn, it gained twice that amount from acorns. Salmon made up half of the remaining weight it had needed to gain. How many pounds did it gain eating small animals?
      Answer: The bear gained 1 / 5 * 1000 = <<1/5*1000=200>>200 pounds from berries.
      It gained 2 * 200 = <<2*200=400>>400 pounds from acorns.
      It still needed 1000 - 200 - 400 = <<1000-200-400=400>>400 pounds.
      Thus, it gained 400 / 2 = <<400/2=200>>200 pounds from salmon.
      Therefore, the bear gained 400 - 200 = <<400-200=200>>200 pounds from small animals.
      #### 200

      Question: Brendan can cut 8 yards of grass per day, he bought a lawnmower and it helped him to cut more yards by Fifty percent per day. How many yards will Brendan be able to cut after a week?
      Answer: The additional yard Brendan can cut after buying the lawnmower is 8 x 0.50 = <<8*0.50=4>>4 yards.
      So, the total yards he can cut with the lawnmower is 8 + 4 = <<8+4=12>>12.
      Therefore, the total number of yards he can cut in a week is 12 x 7 = <<12*7=84>>84 yards.
      #### 84

      Question: Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?
      Answer:"
    `);
    expect(samples[0]?.target).toBe(docs[0]?.answer);
  });
});
