import { z } from 'zod';
import { apiMethods } from '../../shared/api/contract.js';
import { ApiErrorBody } from '../../shared/api/errors.js';
import { KESTREL_VERSION } from '../../shared/version.js';
import { REST_ROUTES } from './rest-routes.js';

const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate the requests. */
export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of REST_ROUTES) {
    const spec = apiMethods[r.method];
    const input = schema(spec.input, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    const op: Record<string, unknown> = {
      operationId: r.method,
      summary: spec.doc,
      security: [{ bearer: [] }],
      responses: {
        [String(r.successStatus ?? 200)]: { description: 'OK', content: { 'application/json': { schema: schema(spec.output, 'output') } } },
        '4XX': { description: 'Refused or malformed; the message says why', content: { 'application/json': { schema: schema(ApiErrorBody, 'output') } } },
      },
    };
    if (r.from === 'body') op.requestBody = { required: true, content: { 'application/json': { schema: input } } };
    if (r.from === 'query' || r.from === 'path') {
      op.parameters = Object.entries(input.properties ?? {}).map(([name, s]) => ({
        name,
        in: r.from,
        required: r.from === 'path' || (input.required ?? []).includes(name),
        schema: s,
      }));
    }
    paths[r.path] ??= {};
    paths[r.path]![r.verb.toLowerCase()] = op;
  }
  paths['/api/health'] = {
    get: { operationId: 'health', summary: 'Liveness; needs no token.', responses: { '200': { description: 'OK' } } },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Kestrel API', version: KESTREL_VERSION, description: 'The REST surface of `kestrel serve`. WebSocket: /api/ws?token=…' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
