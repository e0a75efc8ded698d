// The shapes of a translation: what a client protocol does (parse a request into the IR, write
// an answer, a stream and an error back in its own shape) and what an upstream protocol does
// (write the IR as its request, read its answer, its stream events and its errors into the IR).
// client-protocols.ts and upstream-protocols.ts hold one of each per protocol.
import type { IncomingHttpHeaders } from 'node:http';
import type { AccountRecord, Credentials } from '../../model';
import type { UpstreamOp } from '../proxy-routes';
import type { IrAnswer, IrError, IrEvent, IrRequest } from './ir';
import type { SignatureCache } from './signature-cache';

export type ClientProtocol = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';
export type UpstreamProtocol = 'cloudcode' | 'anthropic' | 'openai-chat' | 'codex';

/** What every encoder and decoder of one attempt knows. */
export interface TranslateContext {
  /** The model this attempt asks for (what the client's answer names). */
  model: string;
  signatures: SignatureCache;
  /** Gemini streamGenerateContent: SSE (alt=sse) rather than one JSON array. */
  clientSse: boolean;
}

/** Writes a client's stream from IR events, event by event. */
export interface StreamEncoder {
  /** Text to send for this event ('' for none). */
  push(e: IrEvent): string;
  /** The end of a complete answer. */
  finish(): string;
  /** Ends the stream with the protocol's own error event. */
  fail(e: IrError): string;
}

/** Reads an upstream's stream into IR events, one SSE event at a time. */
export interface StreamDecoder {
  event(name: string | null, data: string, out: IrEvent[]): void;
}

export interface ClientProtocolImpl {
  readonly id: ClientProtocol;
  /** Validates the client's body (throws BadClientRequest naming the field). */
  parse(json: Record<string, unknown>, op: UpstreamOp): IrRequest;
  answer(a: IrAnswer, ctx: TranslateContext, req: IrRequest): unknown;
  encoder(ctx: TranslateContext, req: IrRequest): StreamEncoder;
  /** The stream's content type (Gemini without alt=sse: a JSON array). */
  streamType(ctx: TranslateContext): string;
  error(e: IrError): unknown;
  /** Anthropic count_tokens, answered by the proxy itself. */
  countTokens?(n: number): unknown;
}

export interface UpstreamBuild {
  account: AccountRecord;
  credentials: Credentials;
  baseUrl: string;
  model: string;
  signatures: SignatureCache;
  clientHeaders: IncomingHttpHeaders;
}

export interface UpstreamCall {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The upstream answers SSE. */
  stream: boolean;
}

export interface UpstreamProtocolImpl {
  readonly id: UpstreamProtocol;
  request(ir: IrRequest, b: UpstreamBuild): UpstreamCall;
  answer(json: unknown, ctx: TranslateContext): IrAnswer;
  decoder(ctx: TranslateContext): StreamDecoder;
  error(status: number, json: unknown): IrError;
}

export const sseEvent = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
export const sseData = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** One SSE event's data as a JSON object; null for anything else (garbage, a bare value, an array). */
export function jsonObject(data: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(data);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}
export const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The IR error type of an HTTP status. */
export function typeOfStatus(status: number): IrError['type'] {
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limit';
  if (status === 503 || status === 529) return 'overloaded';
  if (status >= 400 && status < 500) return 'invalid_request';
  return 'api_error';
}

/** Epoch seconds now (answers' `created`). */
export const nowSec = (): number => Math.floor(Date.now() / 1000);
