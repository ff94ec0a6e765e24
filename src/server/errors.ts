import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AlignboardError } from '../common/errors.js';
import type { ApiErrorBody } from './schemas.js';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function body(
  statusCode: number,
  code: string,
  message: string,
  where: ApiErrorBody['where'] = {},
): ApiErrorBody {
  return { statusCode, code, error: STATUS_TEXT[statusCode] ?? 'Error', message, where };
}

/**
 * The one place errors become responses: `AlignboardError` keeps its code and location,
 * schema failures become `AB_INPUT_INVALID` with the field path, Fastify's own client errors
 * keep their status, and anything else is a bare 500 (logged with the request id).
 */
export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof AlignboardError) {
    return reply.status(err.status).send(body(err.status, err.code, err.message, err.where));
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const [first] = err.validation;
    const part = err.validationContext ?? 'body';
    const instancePath = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') ?? '';
    const field = instancePath ? `${part}.${instancePath}` : part;
    const reason = first?.message ?? 'invalid value';
    return reply.status(400).send(body(400, 'AB_INPUT_INVALID', `field "${field}": ${reason}`, { field }));
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code =
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.name === 'SyntaxError'
        ? 'AB_INPUT_JSON'
        : 'AB_INPUT_INVALID';
    return reply.status(status).send(body(status, code, err.message, { field: 'body' }));
  }
  req.log.error({ err }, 'request failed');
  return reply
    .status(500)
    .send(body(500, 'AB_INTERNAL', 'internal error; see the server log for the request id'));
}
