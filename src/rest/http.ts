import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request refused with Kafka Connect's error shape `{"error_code", "message"}`. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (path: string) => new RestError(404, `Unknown endpoint ${path}`);

export const methodNotAllowed = (request: IncomingMessage, why = '') =>
  new RestError(405, `${request.method} is not supported${why ? `: ${why}` : ''}`);

export function reply(response: ServerResponse, code: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    response.writeHead(code, headers);
    response.end();
    return;
  }
  send(response, code, 'application/json', JSON.stringify(body), headers);
}

/** A text answer of any type (the status page, Prometheus's exposition); HEAD gets the headers only. */
export function send(response: ServerResponse, code: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

export function replyError(response: ServerResponse, error: RestError): void {
  reply(response, error.status, { error_code: error.status, message: error.message }, error.headers);
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The request's JSON body; a 400 (never quoting the body: it may hold secrets) when it is not JSON or too big. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RestError(400, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new RestError(400, 'the request body is not valid JSON');
  }
}

/** True for GET and HEAD, which answer the same (HEAD without the body). */
export const isRead = (request: IncomingMessage) => request.method === 'GET' || request.method === 'HEAD';
