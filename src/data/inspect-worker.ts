import { parentPort, workerData } from 'node:worker_threads';
import type { Contract } from './contract.js';
import { type ByteRange, inspectRange } from './inspect-range.js';
import { packScanState, RowInspector, type RowInspectorOptions } from './row-inspector.js';

/** Input of one inspection worker: a byte range of one plain JSONL file. */
export interface InspectWorkerInput extends ByteRange {
  /** The contract comes parsed by the calling thread: the worker loads neither zod nor yaml. */
  inspector: Omit<RowInspectorOptions, 'contract'> & { contract?: Contract };
}

async function run(input: InspectWorkerInput): Promise<void> {
  const inspector = new RowInspector(input.inspector);
  const lines = await inspectRange(input, inspector);
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
