import type { ApiErrorBody } from '../../../src/server/schemas.js';

/** An error answered by the API, with the same code and location the CLI prints. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly where: ApiErrorBody['where'] = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/** The only `fetch` of the web app: JSON in and out, error bodies become `ApiError`. */
export async function apiFetch<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, headers, ...rest } = init;
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      ...rest,
      headers: {
        accept: 'application/json',
        ...(json !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(json !== undefined && { body: JSON.stringify(json) }),
    });
  } catch (err) {
    throw new ApiError(0, 'AB_NETWORK', `cannot reach the Alignboard server (${(err as Error).message})`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(
      res.status,
      'AB_BAD_RESPONSE',
      `the server answered ${res.status} with non-JSON content`,
    );
  }
  if (!res.ok) {
    if (isErrorBody(body)) throw new ApiError(res.status, body.code, body.message, body.where);
    throw new ApiError(res.status, 'AB_HTTP', `the server answered ${res.status}`);
  }
  return body as T;
}
