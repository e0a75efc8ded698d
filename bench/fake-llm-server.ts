// The fake OpenAI/Anthropic upstream (test/helpers/fake-llm-api.ts) in a process of its own, so
// its HTTP handling does not share the CPU and event loop with the proxy under measurement.
// Requests are not recorded (a long run would only grow memory). Prints one JSON line on stdout:
// {"baseUrl","openaiBaseUrl","pid"}.
//
//   node --import tsx bench/fake-llm-server.ts --key sk-bench-key [--reply 16]
//
// --reply N: the answer is N pieces ("w0 ", "w1 ", …): N deltas when streamed.
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
  fake.addKey({ key, reply: Array.from({ length: pieces }, (_, i) => `w${i} `) });

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
