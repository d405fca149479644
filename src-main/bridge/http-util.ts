// Small helpers for the bridge's responses: security headers on everything, JSON replies shaped
// like the desktop app's IPC replies, bounded request bodies, and files streamed from disk.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { EngineError, toErrorPayload } from '../engine/common/errors';
import type { Reply } from '../protocol/api';
import { contentSecurityPolicy } from '../protocol/csp';

const CSP = contentSecurityPolicy({ delivery: 'header' });

export function baseHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    ...extra,
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, baseHeaders({ 'Content-Type': 'application/json; charset=utf-8' })).end(JSON.stringify(body));
}

export function sendReply<T>(response: ServerResponse, value: T): void {
  sendJson(response, 200, { ok: true, value } satisfies Reply<T>);
}

/** An error as the page expects it: a payload with a code, never a stack trace. */
export function sendError(response: ServerResponse, error: unknown, status = 400): void {
  sendJson(response, status, { ok: false, error: toErrorPayload(error) } satisfies Reply<never>);
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, baseHeaders({ 'Content-Type': 'text/plain; charset=utf-8' })).end(text);
}

/** Answered with HTTP 413: a body or an upload over what the bridge accepts. */
export function tooLarge(message: string, hint?: string): EngineError {
  return new EngineError('PAYLOAD_TOO_LARGE', message, hint);
}

/** The HTTP status an API error is answered with, where its code says more than "bad request". */
export function statusOf(error: unknown, otherwise: number): number {
  if (error instanceof EngineError && error.code === 'PAYLOAD_TOO_LARGE') return 413;
  if (error instanceof EngineError && error.code === 'UNAUTHORIZED') return 401;
  return otherwise;
}

/** Reads a JSON body of at most `limit` bytes; an empty body is `undefined`. */
export async function readJson(request: IncomingMessage, limit = 1 << 20): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(`The request is too large (${declared} bytes; at most ${limit}).`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(`The request is too large (over ${limit} bytes).`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function sendFile(response: ServerResponse, path: string, contentType: string, cache = 'no-store'): Promise<void> {
  const info = await stat(path);
  response.writeHead(200, baseHeaders({ 'Content-Type': contentType, 'Content-Length': String(info.size), 'Cache-Control': cache }));
  await pipeline(createReadStream(path), response);
}
