// What protocol translation costs on the proxy's own CPU, against today's pass-through path in
// the same run: the code the dispatch loop runs per request and the relay runs per streamed
// chunk, timed in-process (no network, no upstream: those are the same for both paths).
//
//   node --require tsx/cjs bench/translation.ts [--rounds 5] [--requests 4000] [--chunks 40000]
//
// - Non-streamed request, pass-through: building the upstream request for an account of the
//   client's own protocol (buildUpstream: the client's bytes with the key injected) and reading
//   the answer's usage (usageFromJsonText), as the relay does. Translated: an Anthropic Messages
//   request (system, 8 turns, a tool, a tool round trip) parsed and validated into the IR,
//   written as a Cloud Code request, and a Cloud Code answer (text + functionCall + usage) read
//   back and written as an Anthropic message.
// - Streamed chunk, pass-through: the relay's plain SSE transformer (usage tap) over Anthropic
//   events. Translated: the relay's translated transformer over Cloud Code events written as
//   Anthropic events (one SSE event per chunk, a short text delta each — the common case).
// Each figure is CPU time (process.cpuUsage, user+system) per item; the headline is the median
// over rounds of (translated − pass-through); targets: ≤ 100 µs per request, ≤ 5 µs per chunk.
import type { AccountRecord, Credentials } from '../src/main/core/model';
import type { ProxyRoute } from '../src/main/core/proxy/proxy-routes';
import { transformerFor } from '../src/main/core/proxy/stream-relay';
import { SignatureCache } from '../src/main/core/proxy/translate/signature-cache';
import { Translation } from '../src/main/core/proxy/translate/translated-attempt';
import { buildUpstream } from '../src/main/core/proxy/upstream-request';
import { usageFromJsonText } from '../src/main/core/proxy/usage-extract';
import { arg, f, machine, median, mr, printResult, table, target } from './lib';

const ROUNDS = Math.max(1, arg('rounds', 5));
const REQUESTS = arg('requests', 4000);
const CHUNKS = arg('chunks', 40000);

const route: ProxyRoute = { kind: 'upstream', family: 'anthropic', op: 'anthropic.messages', pathModel: null, clientSse: false };
const account = (provider: AccountRecord['provider']): AccountRecord => ({
  id: `acct-${provider}`, provider, identity: provider, email: null, label: provider, tier: 'pro', tierLabel: null, status: 'active', statusReason: null,
  projectId: 'proj-bench', secretHint: '', reserve: null, baseUrl: null, models: null, details: {}, createdAt: 0, updatedAt: 0,
});
const creds: Credentials = { accessToken: 'ya29.bench-token', apiKey: 'sk-ant-api03-bench' } as Credentials;
const headers = { 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'user-agent': 'claude-cli/2.0.0' };

const turns: unknown[] = [];
for (let i = 0; i < 3; i++) {
  turns.push({ role: 'user', content: `Question ${i}: ${'lorem ipsum dolor sit amet '.repeat(8)}` });
  turns.push({ role: 'assistant', content: [{ type: 'text', text: `Answer ${i}: ${'consectetur adipiscing elit '.repeat(8)}` }] });
}
turns.push({ role: 'user', content: 'What is the weather in Paris?' });
turns.push({ role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] });
turns.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny, 21C' }] });
const clientJson: Record<string, unknown> = {
  model: 'claude-sonnet-4-5',
  max_tokens: 4096,
  system: 'You are a helpful assistant. '.repeat(10),
  tools: [{ name: 'get_weather', description: 'Weather in a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  messages: turns,
};
const clientBody = Buffer.from(JSON.stringify(clientJson));

const cloudAnswer = Buffer.from(JSON.stringify({
  response: {
    candidates: [{ content: { role: 'model', parts: [{ text: 'It is sunny in Paris today, 21 degrees. '.repeat(6) }, { functionCall: { name: 'get_weather', args: { city: 'Lyon' }, id: 'toolu_2' } }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 812, candidatesTokenCount: 64, totalTokenCount: 876 },
    modelVersion: 'claude-sonnet-4-5',
    responseId: 'resp-bench',
  },
  traceId: 'trace',
}));
const anthropicAnswer = JSON.stringify({ id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'It is sunny in Paris today, 21 degrees. '.repeat(6) }, { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Lyon' } }], stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 812, output_tokens: 64 } });

const sigs = new SignatureCache();
let sink = 0;

function passThroughRequest(): void {
  const t = buildUpstream({ route, account: account('anthropic'), credentials: creds, baseUrl: 'https://api.anthropic.com', clientHeaders: headers, search: '', body: clientBody, json: clientJson, model: 'claude-sonnet-4-5' });
  const u = usageFromJsonText(anthropicAnswer);
  sink += t.body.length + (u.input ?? 0);
}

const ag = account('antigravity');
function translatedRequest(): void {
  const tr = new Translation(route, clientJson, sigs);
  const p = tr.plan(ag, creds, 'https://cloudcode-pa.googleapis.com', 'claude-sonnet-4-5', headers);
  if (p.kind !== 'upstream' || p.target.shape.kind !== 'translated') throw new Error('expected a translated target');
  const w = p.target.shape.attempt.whole(cloudAnswer, 200);
  sink += p.target.body.length + w.text.length;
}

const textDelta = (i: number) => `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `token${i} ` } })}\n\n`;
const cloudDelta = (i: number) => `data: ${JSON.stringify({ response: { candidates: [{ content: { role: 'model', parts: [{ text: `token${i} ` }] } }], modelVersion: 'claude-sonnet-4-5', responseId: 'resp-bench' } })}\r\n\r\n`;
const PASS_CHUNKS = Array.from({ length: 64 }, (_, i) => Buffer.from(textDelta(i)));
const CLOUD_CHUNKS = Array.from({ length: 64 }, (_, i) => Buffer.from(cloudDelta(i)));

function passThroughChunks(n: number): void {
  const t = transformerFor({ kind: 'plain' }, true);
  for (let i = 0; i < n; i++) {
    const out = t.chunk(PASS_CHUNKS[i & 63]!);
    sink += out.length;
  }
  t.end();
}

function translatedChunks(n: number): void {
  const tr = new Translation({ ...route }, { ...clientJson, stream: true }, sigs);
  const p = tr.plan(ag, creds, 'https://cloudcode-pa.googleapis.com', 'claude-sonnet-4-5', headers);
  if (p.kind !== 'upstream' || p.target.shape.kind !== 'translated') throw new Error('expected a translated target');
  const t = transformerFor(p.target.shape, true);
  for (let i = 0; i < n; i++) {
    const out = t.chunk(CLOUD_CHUNKS[i & 63]!);
    sink += out.length;
  }
}

/** CPU µs per item of fn(n) (user + system). */
function cpuPer(n: number, run: () => void): number {
  const c0 = process.cpuUsage();
  run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

async function main(): Promise<void> {
  console.log(`# translation — ${machine()}`);
  console.log(`# ${ROUNDS} rounds; ${REQUESTS} requests and ${CHUNKS} streamed chunks per path per round; request body ${clientBody.length} B, answer ${cloudAnswer.length} B`);
  // Warm-up (JIT) for every path.
  for (let i = 0; i < 2000; i++) {
    passThroughRequest();
    translatedRequest();
  }
  passThroughChunks(20000);
  translatedChunks(20000);

  const rows: Array<Array<string | number>> = [['round', 'pass-through µs/req', 'translated µs/req', 'added µs/req', 'pass-through µs/chunk', 'translated µs/chunk', 'added µs/chunk']];
  const addedReq: number[] = [];
  const addedChunk: number[] = [];
  const passReq: number[] = [];
  const transReq: number[] = [];
  const passChunk: number[] = [];
  const transChunk: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order per round so drift hits both alike.
    const order = r % 2 === 0;
    let pr = 0;
    let tr = 0;
    let pc = 0;
    let tc = 0;
    const reqPass = () => (pr = cpuPer(REQUESTS, () => { for (let i = 0; i < REQUESTS; i++) passThroughRequest(); }));
    const reqTrans = () => (tr = cpuPer(REQUESTS, () => { for (let i = 0; i < REQUESTS; i++) translatedRequest(); }));
    const chPass = () => (pc = cpuPer(CHUNKS, () => passThroughChunks(CHUNKS)));
    const chTrans = () => (tc = cpuPer(CHUNKS, () => translatedChunks(CHUNKS)));
    if (order) { reqPass(); reqTrans(); chPass(); chTrans(); } else { reqTrans(); reqPass(); chTrans(); chPass(); }
    passReq.push(pr);
    transReq.push(tr);
    passChunk.push(pc);
    transChunk.push(tc);
    addedReq.push(tr - pr);
    addedChunk.push(tc - pc);
    rows.push([r + 1, f(pr, 2), f(tr, 2), f(tr - pr, 2), f(pc, 3), f(tc, 3), f(tc - pc, 3)]);
  }
  console.log(table(rows));
  const req = median(addedReq);
  const chunk = median(addedChunk);
  const reqOk = req <= 100;
  const chunkOk = chunk <= 5;
  console.log(`\ntranslation adds ${f(req, 1)} µs CPU per non-streamed request (target <= 100 µs: ${reqOk ? 'MET' : 'MISSED'}; ratio to target ${f(req / 100, 3)}); pass-through ${mr(passReq)} µs, translated ${mr(transReq)} µs`);
  console.log(`translation adds ${f(chunk, 2)} µs CPU per streamed chunk (target <= 5 µs: ${chunkOk ? 'MET' : 'MISSED'}; ratio to target ${f(chunk / 5, 3)}); pass-through ${mr(passChunk, 3)} µs, translated ${mr(transChunk, 3)} µs`);
  if (sink === 42) console.log('');
  printResult('translation', {
    machine: machine(), rounds: ROUNDS, requests: REQUESTS, chunks: CHUNKS,
    perRequestUs: { passThrough: passReq, translated: transReq, added: addedReq },
    perChunkUs: { passThrough: passChunk, translated: transChunk, added: addedChunk },
    targets: [
      target('CPU added by translation per non-streamed request (Anthropic → Cloud Code)', `${f(req, 1)} µs (rounds ${mr(addedReq, 1)})`, `pass-through ${mr(passReq)} µs/request`, req / 100, '<= 100 µs', reqOk),
      target('CPU added by translation per streamed chunk (Cloud Code → Anthropic SSE)', `${f(chunk, 2)} µs (rounds ${mr(addedChunk, 2)})`, `pass-through ${mr(passChunk, 3)} µs/chunk`, chunk / 5, '<= 5 µs', chunkOk),
    ],
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
