import { useEffect, useState } from 'preact/hooks';
import { api, can } from './api.js';
import { html } from './html.js';
import type { Key, T } from './i18n.js';
import { figures, parseMetrics, type Figures, type Scrape } from './metricsText.js';

const HISTORY = 30;
const EVERY_MS = 5000;

/** A small line of the last values (SVG attributes only: the CSP allows no inline styles). */
function Sparkline({ values, label }: { values: number[]; label: string }): unknown {
  if (values.length < 2) return html`<svg class="spark" width="100" height="24" role="img" aria-label=${label}></svg>`;
  const max = Math.max(...values, 1e-9);
  const min = Math.min(...values, 0);
  const points = values.map((v, i) => `${(i / (HISTORY - 1)) * 100},${22 - ((v - min) / (max - min || 1)) * 20}`).join(' ');
  return html`<svg class="spark" width="100" height="24" viewBox="0 0 100 24" role="img" aria-label=${label}><polyline points=${points} fill="none" stroke="currentColor" stroke-width="1.5" /></svg>`;
}

interface Health { status: string; checks: Record<string, Record<string, unknown>>; system: Record<string, unknown> }
interface Plugin { id: string; state?: string; status?: string; reason?: string; missingScopes?: string[]; error?: string; [k: string]: unknown }

/** /health with every check's details, figures with sparklines, plugins and logs (admin). Polled: these are not pushed. */
export function HubPanel({ t, token, scopes }: { t: T; token: string; scopes: string[] }): unknown {
  const [health, setHealth] = useState<Health | null>(null);
  const [history, setHistory] = useState<Figures[]>([]);
  const [plugins, setPlugins] = useState<Plugin[] | null>(null);
  const [logs, setLogs] = useState<string[] | null>(null);
  const admin = can(scopes, 'admin');

  useEffect(() => {
    let prev: Scrape | null = null;
    let stopped = false;
    const poll = async (): Promise<void> => {
      const h = await api<Health>('/health', null);
      if (stopped) return;
      setHealth(h.body ?? (h.error ? { status: h.status === 503 ? 'down' : 'unreachable', checks: {}, system: {} } : null));
      try {
        const res = await fetch('/metrics');
        const scrape = parseMetrics(await res.text(), Date.now());
        if (prev) {
          const f = figures(prev, scrape);
          if (!stopped) setHistory((old) => [...old, f].slice(-HISTORY));
        }
        prev = scrape;
      } catch {
        // the hub is away: the socket's banner says so
      }
      if (admin) {
        const [p, l] = await Promise.all([api<{ plugins: Plugin[] }>('/api/plugins', token), api<{ lines: string[] }>('/api/logs', token)]);
        if (stopped) return;
        if (p.body) setPlugins(p.body.plugins);
        if (l.body) setLogs(l.body.lines);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), EVERY_MS);
    return () => { stopped = true; clearInterval(timer); };
  }, [token, admin]);

  const last = history.at(-1);
  const figure = (key: Key, pick: (f: Figures) => number | null) => html`
    <div class="figure"><dt>${t(key)}</dt><dd><span class="value">${last ? pick(last) ?? '–' : '…'}</span>
      <${Sparkline} values=${history.map((f) => pick(f) ?? 0)} label=${t(key)} /></dd></div>`;

  return html`
    <section class="hub" aria-labelledby="hub-title">
      <h2 id="hub-title">${t('hub')}</h2>
      <h3>${t('health')}: <span class=${`status st-${health?.status ?? 'unknown'}`}>${health?.status ?? '…'}</span></h3>
      <ul class="checks">
        ${health ? Object.entries(health.checks).map(([name, check]) => html`
          <li key=${name}><strong>${name}</strong> ${check.ok === false ? '✗' : '✓'}
            <span class="muted">${Object.entries(check).filter(([k]) => k !== 'ok').map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' · ').slice(0, 300)}</span></li>`) : null}
        ${health ? html`<li><strong>system</strong> <span class="muted">${Object.entries(health.system).map(([k, v]) => `${k}: ${String(v)}`).join(' · ')}</span></li>` : null}
      </ul>
      <h3>${t('figures')}</h3>
      <dl class="figures">
        ${figure('utterancesPerMin', (f) => f.utterancesPerMin)}
        ${figure('p99', (f) => f.p99Ms)}
        ${figure('mqttClients', (f) => f.mqttClients)}
        ${figure('memory', (f) => f.memoryMB)}
        ${figure('loopDelay', (f) => f.loopDelayMs)}
      </dl>
      ${admin ? html`
        <h3>${t('plugins')}</h3>
        <ul class="plugins">
          ${(plugins ?? []).map((p) => html`<li key=${p.id}><strong>${p.id}</strong> ${String(p.state ?? p.status ?? '')}
            ${p.missingScopes && p.missingScopes.length ? html` <span class="muted">(${p.missingScopes.join(', ')})</span>` : null}
            ${p.reason || p.error ? html` <span class="error">${String(p.reason ?? p.error)}</span>` : null}</li>`)}
        </ul>
        <h3>${t('logs')}</h3>
        <pre class="logs" tabindex="0" aria-label=${t('logs')}>${(logs ?? []).join('\n')}</pre>` : html`<p class="muted">${t('adminOnly')}</p>`}
    </section>`;
}
