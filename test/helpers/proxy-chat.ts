// One raw chat completion through the proxy on its own keep-alive agent, tagged by its User-Agent
// (so a test can find its ledger row); true when the whole 200 answer arrived. The crash tests
// use it to count the requests a client saw answered before a kill.
import { request, type Agent } from 'node:http';

export function chatThroughProxy(url: string, key: string, tag: string, agent: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': tag, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
      res.on('aborted', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.end(body);
  });
}
