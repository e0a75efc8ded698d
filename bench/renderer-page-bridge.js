// Runs in the page before the renderer (page.addInitScript), as plain browser JavaScript: a fake
// window.quotadeck preload bridge, so the built renderer picks its IPC transport and talks to
// this instead of Electron's main process. It answers the calls the dashboard makes with
// generated accounts and quota readings, structured-clones every answer and event as IPC would,
// and delivers pushed events one task each (as ipcRenderer messages arrive). Configured by
// window.__BENCH_CONFIG__ = { accounts, models }; bench/renderer-accounts.ts drives it through
// window.__bench.
(() => {
  const cfg = window.__BENCH_CONFIG__ || { accounts: 1000, models: 10 };
  const NOW = Date.now();
  const iso = (ms) => new Date(NOW + ms).toISOString();
  const PROVIDERS = ['antigravity', 'antigravity', 'antigravity', 'gemini-cli', 'claude', 'codex', 'openrouter', 'openai', 'anthropic'];
  const TIERS = ['free', 'free', 'free', 'pro', 'pro', 'ultra'];
  // Deterministic pseudo-random fractions (the same data every run).
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

  const accounts = [];
  const quotas = [];
  for (let i = 0; i < cfg.accounts; i++) {
    const id = `acc-${String(i).padStart(5, '0')}`;
    const failing = i % 23 === 5;
    const status = i % 97 === 3 ? 'invalid_credentials' : i % 50 === 7 ? 'disabled' : 'active';
    accounts.push({
      id,
      provider: PROVIDERS[i % PROVIDERS.length],
      email: `user${i}@example.com`,
      label: `account ${i}`,
      tier: TIERS[i % TIERS.length],
      tierLabel: null,
      status,
      statusReason: status === 'invalid_credentials' ? 'refresh token revoked (invalid_grant)' : null,
      projectId: null,
      secretHint: '1//0g…x9Qa',
      reserve: null,
      baseUrl: null,
      models: null,
      details: {},
      modelPrefs: [],
      createdAt: iso(-86_400_000),
      updatedAt: iso(-3_600_000),
      sync: {
        lastSuccessAt: iso(-60_000),
        lastAttemptAt: iso(-30_000),
        lastErrorCode: failing ? 'upstream_5xx' : null,
        lastErrorMessage: failing ? 'upstream answered HTTP 503 (service unavailable)' : null,
        consecutiveFailures: failing ? 2 : 0,
        nextAttemptAt: failing ? iso(90_000) : null,
      },
    });
    const stale = i % 31 === 4;
    for (let j = 0; j < cfg.models; j++) quotas.push(reading(id, j, rand(), stale));
  }

  function reading(accountId, j, r, stale) {
    const fraction = r < 0.05 ? 0 : r < 0.12 ? r / 2 : r;
    const kind = fraction === 0 ? 'exhausted' : fraction < 0.1 ? 'low' : 'proceed';
    const resetAt = iso((j + 1) * 3_600_000 + 5 * 60_000);
    return {
      accountId,
      model: `model-${String(j).padStart(2, '0')}`,
      displayName: `Model ${j}`,
      remainingFraction: fraction,
      resetAt,
      fetchedAt: stale ? iso(-3 * 3_600_000) : iso(-30_000),
      ageMs: stale ? 3 * 3_600_000 : 30_000,
      stale,
      source: 'poll',
      window: null,
      limit: null,
      remaining: null,
      decision: { kind, remainingFraction: fraction, resetAt, reason: null },
      lock: null,
    };
  }

  const stats = {
    totalAccounts: accounts.length,
    activeAccounts: accounts.filter((a) => a.status === 'active').length,
    cachedQuotas: quotas.length,
    expiredEntries: 0,
    exhaustedQuotas: quotas.filter((q) => q.decision.kind === 'exhausted').length,
    lowQuotas: quotas.filter((q) => q.decision.kind === 'low').length,
    lastSyncDurationMs: 1800,
    lastSyncAt: iso(-60_000),
    nextSyncAt: iso(240_000),
    lastSyncSuccesses: accounts.length,
    lastSyncErrors: 0,
    lastSyncSkipped: 0,
    running: true,
    paused: false,
    syncing: false,
  };

  const answers = {
    'app:info': () => ({ version: 'bench', mode: 'electron', dataDir: '/tmp/bench', startedAt: iso(-60_000) }),
    'accounts:list': () => accounts,
    'quota:list': () => quotas,
    'monitor:getStats': () => stats,
    'monitor:lastReport': () => null,
  };
  const listeners = new Map();
  const calls = [];

  window.quotadeck = {
    invoke(method) {
      calls.push(method);
      const answer = answers[method];
      const env = answer
        ? { ok: true, result: structuredClone(answer()) }
        : { ok: false, error: { code: 'unknown_method', message: `bench bridge has no ${method}` } };
      return new Promise((resolve) => setTimeout(() => resolve(env), 0));
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
      return () => listeners.get(event).delete(listener);
    },
  };

  // One task per pushed event, like IPC messages (a MessageChannel delivers in order, unclamped).
  const channel = new MessageChannel();
  const queue = [];
  channel.port1.onmessage = () => {
    const { event, payload, deliverOnly } = queue.shift();
    const copy = structuredClone(payload);
    if (deliverOnly) return; // the delivery floor: the task and the copy, no listener
    for (const l of listeners.get(event) || []) l(copy);
  };
  const emit = (event, payload, deliverOnly = false) => {
    queue.push({ event, payload, deliverOnly });
    channel.port2.postMessage(0);
  };

  const longTasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no longtask support: reported as such */
  }

  // Long animation frames (> 50 ms from the frame's first task to its paint), with the scripts in them.
  const longFrames = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        longFrames.push({
          start: e.startTime,
          duration: e.duration,
          blockingMs: e.blockingDuration,
          renderMs: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
          scripts: (e.scripts || []).map((x) => ({ invoker: x.invoker, ms: Math.round(x.duration) })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    /* not supported */
  }
  const longestFrame = (t0) => longFrames.filter((x) => x.start >= t0 - 1).reduce((m, x) => (!m || x.duration > m.duration ? x : m), null);

  const afterNextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const rowCount = () => document.querySelectorAll('tr[data-row-key]').length;

  function waitFor(check) {
    return new Promise((resolve) => {
      const done = () => {
        const tDom = performance.now();
        afterNextFrame().then(() => resolve({ tDom, tFrame: performance.now() }));
      };
      if (check()) return done();
      const mo = new MutationObserver(() => {
        if (!check()) return;
        mo.disconnect();
        done();
      });
      mo.observe(document.documentElement, { childList: true, subtree: true, attributes: true });
    });
  }

  window.__bench = {
    calls,
    longTasks,
    supportsLongTasks: PerformanceObserver.supportedEntryTypes.includes('longtask'),
    rowCount,
    /** From navigation start (the page load) until account rows are in the DOM and a frame later. */
    firstRows: () => waitFor(() => rowCount() > 0),
    /** Hash navigation to the Accounts page until its rows are in the DOM, and a frame later. */
    async navigateToAccounts() {
      const t0 = performance.now();
      const rows = waitFor(() => rowCount() > 0);
      location.hash = '#/accounts';
      const r = await rows;
      return { domMs: r.tDom - t0, frameMs: r.tFrame - t0, rows: rowCount() };
    },
    async leaveAccounts() {
      const gone = waitFor(() => rowCount() === 0);
      location.hash = '#/';
      await gone;
      await afterNextFrame();
    },
    /** Scrolls the accounts list by `px` once per frame, `steps` times: frame gaps and long tasks. */
    async scrollRun(steps, px) {
      const scroller = document.querySelector('.accounts-scroll');
      await afterNextFrame();
      const from = longTasks.length;
      const t0 = performance.now();
      let last = t0;
      let maxGap = 0;
      let maxRows = 0;
      for (let i = 0; i < steps; i++) {
        scroller.scrollTop += px;
        const t = await new Promise((r) => requestAnimationFrame(r));
        maxGap = Math.max(maxGap, t - last);
        last = t;
        maxRows = Math.max(maxRows, rowCount());
      }
      await afterNextFrame();
      await new Promise((r) => setTimeout(r, 50));
      const tasks = longTasks.slice(from).filter((t) => t.start >= t0 - 1);
      return {
        steps,
        px,
        ms: last - t0,
        maxFrameGapMs: maxGap,
        longTasks: tasks.length,
        longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
        maxRenderedRows: maxRows,
        scrollTop: scroller.scrollTop,
        firstRowIndex: Number(document.querySelector('tr[data-row-key]')?.getAttribute('aria-rowindex') ?? 0),
      };
    },
    /**
     * A full sync's burst: one quota:changed per account, all queued at once (the worst case),
     * every model's reading set to `fraction`. Resolves when the rendered rows show it and the
     * queue has drained. `deliverOnly`: the same tasks and copies without calling the app.
     */
    async burst(fraction, deliverOnly = false) {
      const pct = String(Math.round(fraction * 100));
      const kind = fraction === 0 ? 'exhausted' : fraction < 0.1 ? 'low' : 'proceed';
      // Built before the clock starts: in the app this is main's work, in another process.
      const payloads = accounts.map((a) => {
        const list = [];
        for (let j = 0; j < cfg.models; j++) {
          const q = reading(a.id, j, fraction, false);
          q.remainingFraction = fraction;
          q.decision = { ...q.decision, kind, remainingFraction: fraction };
          list.push(q);
        }
        return { accountId: a.id, quotas: list };
      });
      await afterNextFrame();
      const from = longTasks.length;
      let frames = 0;
      let lastFrame = performance.now();
      let maxFrameGap = 0;
      let counting = true;
      const tick = (t) => {
        if (!counting) return;
        maxFrameGap = Math.max(maxFrameGap, t - lastFrame);
        lastFrame = t;
        frames++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const t0 = performance.now();
      for (const p of payloads) emit('quota:changed', p, deliverOnly);
      const queuedMs = performance.now() - t0;
      const applied = deliverOnly
        ? { tDom: t0 }
        : await waitFor(() => {
            const meters = document.querySelectorAll('tr[data-row-key] [role=meter]');
            return meters.length > 0 && [...meters].every((m) => m.getAttribute('aria-valuenow') === pct);
          });
      // Let the rest of the queue drain (events for rows off screen), then two more frames.
      while (queue.length > 0) await afterNextFrame();
      const drainedMs = performance.now() - t0;
      await afterNextFrame();
      await afterNextFrame();
      counting = false;
      await new Promise((r) => setTimeout(r, 50)); // longtask entries are delivered a little later
      const tasks = longTasks.slice(from).filter((t) => t.start >= t0 - 1);
      return {
        events: accounts.length,
        queuedMs,
        visibleAppliedMs: applied.tDom - t0,
        drainedMs,
        longTasks: tasks.length,
        longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
        maxFrameGapMs: maxFrameGap,
        frames,
        longestFrame: longestFrame(t0),
      };
    },
  };
})();
