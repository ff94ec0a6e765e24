import { AlignboardError } from '../common/errors.js';

/** (Not `EvalError`: that name is a JS global.) An expected evaluation failure: a bad task, a missing capability, runs that cannot be compared. */
export class EvaluationError extends AlignboardError {}

// The remote answered (EndpointError) or did not (NetworkError): shared by every domain that calls out.
export { EndpointError, NetworkError } from '../common/remote.js';
