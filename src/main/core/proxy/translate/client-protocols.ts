// Per client protocol: parse + validate its request into the IR, write IR answers, streams and
// errors in its own shape. One implementation per protocol (its own module); this is the table.
import type { UpstreamOp } from '../proxy-routes';
import { anthropicClient } from './anthropic-protocol';
import { geminiClient } from './gemini-protocol';
import { openAiChatClient } from './openai-chat-protocol';
import { responsesClient } from './responses-protocol';
import type { ClientProtocol, ClientProtocolImpl } from './protocol';

const CLIENTS: Record<ClientProtocol, ClientProtocolImpl> = {
  anthropic: anthropicClient,
  'openai-chat': openAiChatClient,
  'openai-responses': responsesClient,
  gemini: geminiClient,
};

const OP_PROTOCOL: Record<UpstreamOp, ClientProtocol> = {
  'openai.chat': 'openai-chat',
  'openai.responses': 'openai-responses',
  'anthropic.messages': 'anthropic',
  'anthropic.count_tokens': 'anthropic',
  'gemini.generate': 'gemini',
  'gemini.stream': 'gemini',
};

export function clientProtocolOf(op: UpstreamOp): ClientProtocol {
  return OP_PROTOCOL[op];
}

export function clientImpl(p: ClientProtocol): ClientProtocolImpl | null {
  return CLIENTS[p] ?? null;
}
