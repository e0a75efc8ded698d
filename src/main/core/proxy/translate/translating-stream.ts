// An upstream's SSE turned into the client's stream event by event as it arrives: bytes are
// framed into whole SSE events, each decoded into IR events by the upstream's decoder and
// written at once by the client's encoder (only an unfinished event's tail is held). An error
// event, a cut or an end before the upstream said "done" ends the client's stream with its own
// protocol's error event; the relay records that the answer did not complete.
import { StringDecoder } from 'node:string_decoder';
import { eventData, SseFramer, type Transformer } from '../stream-relay';
import type { Usage } from '../usage-extract';
import { mergeIrUsage, noUsage, type IrEvent } from './ir';
import type { StreamDecoder, StreamEncoder } from './protocol';
import type { ToolThinkingTap } from './thinking';

export class TranslatingStream implements Transformer {
  private readonly text = new StringDecoder('utf8');
  private readonly framer = new SseFramer();
  private readonly events: IrEvent[] = [];
  private readonly acc = noUsage();
  private done = false;
  private failed: string | null = null;

  constructor(
    private readonly decoder: StreamDecoder,
    private readonly encoder: StreamEncoder,
    /** Remembers signed thinking before tool calls (for clients that cannot carry it). */
    private readonly tap: ToolThinkingTap | null = null,
  ) {}

  chunk(buf: Buffer): string {
    return this.run(this.framer.push(this.text.write(buf)));
  }

  private run(frames: string[]): string {
    let out = '';
    for (const f of frames) {
      const data = eventData(f);
      if (data === null) continue;
      const ev = this.events;
      ev.length = 0;
      this.decoder.event(null, data, ev);
      for (let i = 0; i < ev.length; i++) out += this.apply(ev[i]!);
    }
    return out;
  }

  private apply(e: IrEvent): string {
    if (this.failed !== null) return '';
    if (e.t === 'usage') mergeIrUsage(this.acc, e.usage);
    else if (e.t === 'done') this.done = true;
    else if (this.tap !== null) {
      if (e.t === 'thinking') this.tap.thinking(e.text);
      else if (e.t === 'signature') this.tap.signed(e.signature);
      else if (e.t === 'tool') this.tap.tool(e.id);
    }
    else if (e.t === 'error') {
      this.failed = `upstream error mid-stream: ${e.error.message}`.slice(0, 300);
      return this.encoder.fail(e.error);
    }
    return this.encoder.push(e);
  }

  end(): string {
    const frames = this.framer.push(this.text.end());
    const rest = this.framer.rest();
    if (rest.trim()) frames.push(rest);
    const out = this.run(frames);
    if (this.failed !== null) return out;
    if (!this.done) {
      this.failed = 'upstream stream ended before the answer completed';
      return out + this.encoder.fail({ status: 502, type: 'api_error', message: 'The upstream stream ended before the answer completed' });
    }
    return out + this.encoder.finish();
  }

  abort(reason: string): string {
    if (this.failed !== null) return '';
    this.failed = reason;
    return this.encoder.fail({ status: 502, type: 'api_error', message: `The upstream stream was interrupted (${reason})` });
  }

  failure(): string | null {
    return this.failed;
  }

  usage(): Usage {
    return { input: this.acc.input, output: this.acc.output };
  }
}
