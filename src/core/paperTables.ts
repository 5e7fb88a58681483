/**
 * The Self-PRM paper's Table 4 (accuracy % against k on AIME24, AIME25 and CNMO24 for QwQ-32B and
 * DeepSeek-R1), numbers only, for the dataset report to draw as reference points beside a run on
 * the same dataset. Source: arXiv:2505.11227v2 (8 Dec 2025), Table 4, as transcribed in
 * self_prm_paper_tables.json (the project's shared data; its notes: CNMO24 has 18 problems, and
 * QwQ-32B's CNMO24 BoN-w/-PRM @8 = 76.7 is not a multiple of 1/18 as printed).
 *
 * Naming: a run's dataset name (`--name`, else the dataset folder's name) matches a paper dataset
 * when, lower-cased with everything but letters and digits dropped, it contains the paper's name
 * (aime24, aime25, cnmo24) or its four-digit year form (aime2024, …). The Self-PRM judge's model picks
 * the paper model (qwq-32b, deepseek-r1 without "distill"); an unknown model shows both.
 */

export const PAPER_DATASETS = ['AIME24', 'AIME25', 'CNMO24'] as const;
export type PaperDataset = (typeof PAPER_DATASETS)[number];
export const PAPER_MODELS = ['QwQ-32B', 'DeepSeek-R1'] as const;
export type PaperModel = (typeof PAPER_MODELS)[number];

/** Paper row → "k/model" → [AIME24, AIME25, CNMO24] accuracy (%). */
const TABLE4: Record<string, Record<string, [number, number, number]>> = {
  'pass@k': {
    '1/QwQ-32B': [73.3, 66.7, 77.8],
    '1/DeepSeek-R1': [80.0, 63.3, 77.8],
    '8/QwQ-32B': [90.0, 73.3, 88.9],
    '8/DeepSeek-R1': [93.3, 86.7, 88.9],
    '16/QwQ-32B': [90.0, 80.0, 94.4],
    '16/DeepSeek-R1': [93.3, 90.0, 88.9],
    '32/QwQ-32B': [93.3, 86.7, 94.4],
    '32/DeepSeek-R1': [93.3, 90.0, 88.9],
    '64/QwQ-32B': [93.3, 93.3, 94.4],
    '64/DeepSeek-R1': [93.3, 93.3, 88.9],
  },
  majority_voting: {
    '8/QwQ-32B': [80.0, 76.7, 83.3],
    '8/DeepSeek-R1': [80.0, 76.7, 77.8],
    '16/QwQ-32B': [83.3, 76.7, 83.3],
    '16/DeepSeek-R1': [83.3, 76.7, 83.3],
    '32/QwQ-32B': [86.7, 76.7, 83.3],
    '32/DeepSeek-R1': [86.7, 76.7, 83.3],
    '64/QwQ-32B': [86.7, 76.7, 83.3],
    '64/DeepSeek-R1': [86.7, 76.7, 83.3],
  },
  'bon_external_prm_Qwen2.5-Math-PRM-72B_min_step': {
    '8/QwQ-32B': [83.3, 73.3, 76.7],
    '8/DeepSeek-R1': [83.3, 76.7, 77.8],
    '16/QwQ-32B': [83.3, 73.3, 83.3],
    '16/DeepSeek-R1': [83.3, 76.7, 77.8],
    '32/QwQ-32B': [86.7, 76.7, 83.3],
    '32/DeepSeek-R1': [86.7, 76.7, 77.8],
    '64/QwQ-32B': [86.7, 76.7, 83.3],
    '64/DeepSeek-R1': [86.7, 76.7, 83.3],
  },
  bon_self_prm: {
    '8/QwQ-32B': [83.3, 76.7, 83.3],
    '8/DeepSeek-R1': [83.3, 76.7, 77.8],
    '16/QwQ-32B': [86.7, 80.0, 88.9],
    '16/DeepSeek-R1': [86.7, 76.7, 83.3],
    '32/QwQ-32B': [90.0, 80.0, 88.9],
    '32/DeepSeek-R1': [86.7, 83.3, 83.3],
    '64/QwQ-32B': [90.0, 80.0, 83.3],
    '64/DeepSeek-R1': [86.7, 83.3, 83.3],
  },
};

/** The paper's rows, what StepLens calls the method they are drawn against, and a readable name. */
export const PAPER_METHODS: Record<string, { method: string | null; label: string }> = {
  'pass@k': { method: 'pass@k', label: 'pass@k' },
  majority_voting: { method: 'majority', label: 'majority voting' },
  // Qwen2.5-Math-PRM-72B, minimum step reward: drawn against a PRM judge of that model when the run has one.
  'bon_external_prm_Qwen2.5-Math-PRM-72B_min_step': {
    method: null,
    label: 'BoN w/ Qwen2.5-Math-PRM-72B (min)',
  },
  bon_self_prm: { method: 'self-prm', label: 'BoN w/ Self-PRM' },
};

export interface PaperPoint {
  model: PaperModel;
  /** The paper's row name (a key of PAPER_METHODS). */
  row: string;
  k: number;
  /** Accuracy, %. */
  value: number;
}

const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The paper dataset a run's name stands for, or null. */
export function paperDataset(name: string): PaperDataset | null {
  const squashed = squash(name);
  for (const dataset of PAPER_DATASETS) {
    const short = dataset.toLowerCase();
    const long = short.replace(/(\d\d)$/, '20$1');
    if (squashed.includes(short) || squashed.includes(long)) return dataset;
  }
  return null;
}

/** The paper model a policy model name stands for, or null. */
export function paperModel(model: string): PaperModel | null {
  const squashed = squash(model);
  if (squashed.includes('qwq32b')) return 'QwQ-32B';
  if (squashed.includes('deepseekr1') && !squashed.includes('distill')) return 'DeepSeek-R1';
  return null;
}

/** The paper's points for a dataset, for the given models (all of them when none is given). */
export function paperPoints(
  dataset: PaperDataset,
  models: readonly PaperModel[] = PAPER_MODELS,
): PaperPoint[] {
  const column = PAPER_DATASETS.indexOf(dataset);
  const points: PaperPoint[] = [];
  for (const [row, cells] of Object.entries(TABLE4))
    for (const [key, values] of Object.entries(cells)) {
      const [k, model] = key.split('/') as [string, PaperModel];
      if (models.includes(model)) points.push({ model, row, k: Number(k), value: values[column]! });
    }
  return points;
}
