import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, can, tokenScopes } from './api.js';
import type { DevicePatch, EditDevice } from './deviceEdit.js';
import { DeviceStore } from './deviceStore.js';
import { DevicesView } from './devicesView.js';
import { HubPanel } from './hubPanel.js';
import { html } from './html.js';
import { HubSocket, type SocketStatus } from './hubSocket.js';
import { detectLang, translator, type Lang, type T } from './i18n.js';
import { playPcm } from './mic.js';
import type { DeviceView, FloorOption, SendCommand } from './types.js';
import { VoiceBox, type Exchange } from './voiceBox.js';

const TOKEN_KEY = 'voicehub.token';
const MAX_EXCHANGES = 50;

function SignIn({ t, message, signedIn }: { t: T; message: string | null; signedIn(token: string): void }): unknown {
  const [code, setCode] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pair = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    const res = await api<{ token: string }>('/api/pair', null, { method: 'POST', body: { code: code.trim() } });
    setBusy(false);
    if (res.body?.token) signedIn(res.body.token);
    else setError(res.status === 429 ? t('tooManyTries') : res.status === 401 ? t('codeWrong') : `${t('error')}: ${res.error?.message ?? res.status}`);
  };
  const useToken = async (e: Event): Promise<void> => {
    e.preventDefault();
    const candidate = token.trim();
    const res = await fetch('/api/devices', { method: 'HEAD', headers: { authorization: `Bearer ${candidate}` } }).catch(() => null);
    if (res && res.status !== 401) signedIn(candidate);
    else setError(t('tokenRefused'));
  };

  return html`
    <main class="signin">
      <h1>${t('title')}</h1>
      ${message ? html`<p class="notice" role="alert">${message}</p>` : null}
      <p>${t('signInIntro')}</p>
      <form onSubmit=${pair} class="pair">
        <label for="code">${t('pairingCode')}</label>
        <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required
          value=${code} onInput=${(e: Event) => setCode((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled=${busy}>${t('useCode')}</button>
      </form>
      <form onSubmit=${useToken} class="paste">
        <label for="token">${t('token')}</label>
        <input id="token" name="token" autocomplete="off" value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} />
        <button type="submit">${t('useToken')}</button>
      </form>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    </main>`;
}

function Hub({ t, token, signOut, withdrawn, lang, setLang, theme, setTheme }: {
  t: T; token: string; signOut(): void; withdrawn(): void; lang: Lang; setLang(l: Lang): void; theme: string; setTheme(t: string): void;
}): unknown {
  const scopes = useMemo(() => tokenScopes(token), [token]);
  // Device state lives in the store, not in this component: a feed frame re-renders only the cards it names.
  const store = useMemo(() => new DeviceStore(), [token]);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [feedDenied, setFeedDenied] = useState(false);
  const [status, setStatus] = useState<{ s: SocketStatus; back: boolean }>({ s: 'connecting', back: false });
  const [voiceState, setVoiceState] = useState('idle');
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const [tab, setTab] = useState<'home' | 'hub'>('home');
  const socket = useRef<HubSocket | null>(null);
  const speech = useRef<{ rate: number; chunks: ArrayBuffer[] } | null>(null);

  const update = useCallback((id: string, change: Partial<Exchange>) => {
    setExchanges((list) => list.map((x) => (x.id === id ? { ...x, ...change } : x)));
  }, []);
  const asked = useCallback((x: Exchange) => setExchanges((list) => [x, ...list].slice(0, MAX_EXCHANGES)), []);

  useEffect(() => {
    const s = new HubSocket(token, {
      status: (st, wasDown) => setStatus({ s: st, back: st === 'live' && wasDown }),
      withdrawn,
      audio: (data) => speech.current?.chunks.push(data),
      frame: (f) => {
        switch (f.type) {
          case 'devices':
            store.replace(f.devices as DeviceView[]);
            return;
          case 'devices.changed':
            store.change(f.devices as DeviceView[], f.removed as string[]);
            return;
          case 'state':
            setVoiceState(String(f.state));
            return;
          case 'transcript':
            update(String(f.id), { transcript: String(f.text) });
            return;
          case 'reply.delta':
            setExchanges((list) => list.map((x) => (x.id === f.id ? { ...x, reply: (x.reply ?? '') + String(f.text) } : x)));
            return;
          case 'reply':
            update(String(f.id), {
              reply: String(f.text), intent: f.intent as string | undefined, handledBy: f.handledBy as string | undefined,
              actions: f.actions as Exchange['actions'], ms: f.ms as number | undefined,
            });
            return;
          case 'error':
            if (f.code === 'UNAUTHORIZED') return; // the close (1008) that follows signs out
            if (f.code === 'FORBIDDEN' && f.id === null) setFeedDenied(true); // the device feed needs devices:read
            if (typeof f.id === 'string') update(f.id, { error: { code: String(f.code), message: String(f.message) } });
            return;
          case 'speak':
            asked({ id: `speak-${Date.now()}`, asked: `${String(f.source)}`, reply: String(f.text) });
            return;
          case 'audio.start':
            speech.current = { rate: Number(f.rate) || 22050, chunks: [] };
            return;
          case 'audio.end':
            if (speech.current) void playPcm(speech.current.chunks, speech.current.rate).catch(() => {});
            speech.current = null;
            return;
        }
      },
    });
    socket.current = s;
    s.open();
    return () => s.close();
  }, [token]);

  const send: SendCommand = useCallback(async (device, command, params) => {
    setErrors((old) => { const next = new Map(old); next.delete(device.id); return next; });
    const res = await api('/api/command', token, { method: 'POST', body: { device: device.id, command, ...(params ? { params } : {}) } });
    if (res.status === 401) return withdrawn();
    if (res.error) setErrors((old) => new Map(old).set(device.id, res.error!.code ? `${res.error!.code}: ${res.error!.message}` : res.error!.message));
  }, [token]);

  const admin = can(scopes, 'admin');
  const edit: EditDevice | null = useMemo(() => {
    if (!admin) return null;
    const save = async (device: DeviceView, patch: DevicePatch): Promise<string | null> => {
      const res = await api(`/api/devices/${encodeURIComponent(device.id)}`, token, { method: 'PATCH', body: patch });
      if (res.status === 401) {
        withdrawn();
        return null;
      }
      if (!res.error) return null;
      return [res.error.reason ?? res.error.code, res.error.message].filter(Boolean).join(': ');
    };
    // The configured floors change only with the config (a restart): asked once, when a form first opens.
    let floors: Promise<FloorOption[]> | null = null;
    const loadFloors = (): Promise<FloorOption[]> => floors ??= api<{ floors: FloorOption[] }>('/api/floors', token)
      .then((res) => {
        if (!res.body) floors = null; // asked again next time
        return Array.isArray(res.body?.floors) ? res.body.floors : [];
      });
    return Object.assign(save, { floors: loadFloors });
  }, [token, admin]);

  const banner = status.s === 'live' ? (status.back ? t('reconnected') : null) : status.s === 'reconnecting' ? t('reconnecting') : t('connecting');
  return html`
    <header class="top">
      <h1>${t('title')}</h1>
      <nav role="tablist" aria-label="voicehub">
        <button role="tab" aria-selected=${tab === 'home' ? 'true' : 'false'} onClick=${() => setTab('home')}>${t('devices')} · ${t('voice')}</button>
        <button role="tab" aria-selected=${tab === 'hub' ? 'true' : 'false'} onClick=${() => setTab('hub')}>${t('hub')}</button>
      </nav>
      <span class=${`link st-${status.s}`} role="status" data-status=${status.s}>${status.s === 'live' ? t('connected') : banner}</span>
      <label>${t('language')} <select aria-label=${t('language')} value=${lang} onChange=${(e: Event) => setLang((e.target as HTMLSelectElement).value as Lang)}>
        <option value="en">English</option><option value="zh-CN">简体中文</option></select></label>
      <label>${t('theme')} <select aria-label=${t('theme')} value=${theme} onChange=${(e: Event) => setTheme((e.target as HTMLSelectElement).value)}>
        <option value="auto">${t('themeAuto')}</option><option value="light">${t('themeLight')}</option><option value="dark">${t('themeDark')}</option></select></label>
      <button class="signout" onClick=${signOut}>${t('signOut')}</button>
    </header>
    ${banner && status.s !== 'live' ? html`<p class="banner" role="alert">${banner}</p>` : null}
    ${status.s === 'live' && status.back ? html`<p class="banner ok" role="status">${banner}</p>` : null}
    <main class=${tab === 'home' ? 'home' : 'hubtab'}>
      ${tab === 'home' ? html`
        ${feedDenied ? html`<p class="notice" role="status">${t('noRead')}</p>` : html`<${DevicesView} store=${store} errors=${errors} t=${t} canControl=${can(scopes, 'devices:control')} edit=${edit} send=${send} />`}
        <${VoiceBox} t=${t} state=${voiceState} exchanges=${exchanges} canTalk=${can(scopes, 'voice')}
          send=${(frame: Record<string, unknown> | ArrayBuffer) => socket.current?.send(frame) ?? false} asked=${asked} update=${update} />`
        : html`<${HubPanel} t=${t} token=${token} scopes=${scopes} />`}
    </main>`;
}

function App(): unknown {
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(TOKEN_KEY));
  const [message, setMessage] = useState<string | null>(null);
  const [lang, setLangState] = useState<Lang>(detectLang);
  const [theme, setThemeState] = useState<string>(() => localStorage.getItem('voicehub.theme') ?? 'auto');
  const t = useMemo(() => translator(lang), [lang]);
  useEffect(() => { document.documentElement.lang = lang; document.title = t('title'); }, [lang]);
  useEffect(() => { document.documentElement.dataset.theme = theme; }, [theme]);

  const setLang = (l: Lang): void => { localStorage.setItem('voicehub.lang', l); setLangState(l); };
  const setTheme = (v: string): void => { localStorage.setItem('voicehub.theme', v); setThemeState(v); };
  const signedIn = (tok: string): void => { localStorage.setItem(TOKEN_KEY, tok); setMessage(null); setToken(tok); };
  const signOut = (): void => { localStorage.removeItem(TOKEN_KEY); setToken(null); };
  const withdrawn = (): void => { localStorage.removeItem(TOKEN_KEY); setMessage(t('signedOutExpired')); setToken(null); };

  return token
    ? html`<${Hub} key=${token} t=${t} token=${token} signOut=${signOut} withdrawn=${withdrawn} lang=${lang} setLang=${setLang} theme=${theme} setTheme=${setTheme} />`
    : html`<${SignIn} t=${t} message=${message} signedIn=${signedIn} />`;
}

render(html`<${App} />`, document.getElementById('app')!);
