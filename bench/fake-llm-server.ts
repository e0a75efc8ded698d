// The fake OpenAI/Anthropic upstream (test/helpers/fake-llm-api.ts) in a process of its own, so
// its HTTP handling does not share the CPU and event loop with the proxy under measurement.
// Requests are not recorded (a long run would only grow memory). Prints one JSON line on stdout:
// {"baseUrl","openaiBaseUrl","pid"}.
//
//   node --import tsx bench/fake-llm-server.ts --key sk-bench-key [--reply 16] [--keys 10] [--rate-limit-headers]
//
// --reply N: the answer is N pieces ("w0 ", "w1 ", …): N deltas when streamed.
// --keys N: N keys, `<key>-0` … `<key>-(N-1)` (default: the one key as given).
// --rate-limit-headers: every answer carries x-ratelimit-* (requests and tokens), counting down.
// It exits on SIGTERM/SIGINT or when its stdin closes (the parent died).
import { startFakeLlmApi } from '../test/helpers/fake-llm-api';

function argOf(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const key = argOf('key') ?? 'sk-bench-key';
  const pieces = Number(argOf('reply') ?? '16');
  const fake = await startFakeLlmApi({ record: false });
  const reply = Array.from({ length: pieces }, (_, i) => `w${i} `);
  const n = argOf('keys');
  const limits = process.argv.includes('--rate-limit-headers')
    ? () => ({ requests: { limit: 100_000_000, remaining: 99_999_999, resetMs: 60_000 }, tokens: { limit: 1_000_000_000, remaining: 999_999_000, resetMs: 60_000 } })
    : () => undefined;
  if (n === undefined) fake.addKey({ key, reply, limits: limits() });
  else for (let i = 0; i < Number(n); i++) fake.addKey({ key: `${key}-${i}`, reply, limits: limits() });

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await fake.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  process.stdin.on('end', () => void shutdown());
  process.stdin.on('error', () => void shutdown());
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ baseUrl: fake.baseUrl, openaiBaseUrl: fake.openaiBaseUrl, pid: process.pid })}\n`);
}

main().catch((err) => {
  process.stderr.write(`fake-llm-server: ${String(err)}\n`);
  process.exit(1);
});
