import { parentPort, workerData } from 'node:worker_threads';
import { type Contract, ContractSchema } from './contract.js';
import { readRowBatchesIter } from './read-rows.js';
import { packScanState, RowInspector, type RowInspectorOptions } from './row-inspector.js';

/** Input of one inspection worker: a byte range of one plain JSONL file. */
export interface InspectWorkerInput {
  file: string;
  startByte: number;
  endByte: number;
  inspector: Omit<RowInspectorOptions, 'contract'> & { contract?: unknown };
}

async function run(input: InspectWorkerInput): Promise<void> {
  const contract: Contract | undefined = input.inspector.contract
    ? ContractSchema.parse(input.inspector.contract)
    : undefined;
  const inspector = new RowInspector({ ...input.inspector, contract });
  let lines = 0;
  for await (const batch of readRowBatchesIter(input.file, {
    startByte: input.startByte,
    endByte: input.endByte,
    firstLine: 1,
    onLines: (n) => {
      lines = n;
    },
  })) {
    for (const item of batch) inspector.add(item);
  }
  const { state, transfer } = packScanState(inspector.finish());
  parentPort?.postMessage({ state, lines }, transfer);
}

if (parentPort) {
  run(workerData as InspectWorkerInput).catch((err: unknown) => {
    parentPort?.postMessage({
      error: err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) },
    });
  });
}
