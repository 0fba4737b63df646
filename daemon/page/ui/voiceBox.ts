import { useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import type { T } from './i18n.js';
import { startCapture, type Capture } from './mic.js';

/** One exchange shown in the voice box: what was asked and what the hub answered. */
export interface Exchange {
  id: string;
  asked: string;
  transcript?: string;
  reply?: string;
  intent?: string;
  handledBy?: string;
  actions?: Array<{ device: string; command: string }>;
  ms?: number;
  /** The hub's error frame; no code when the page could not send at all. */
  error?: { code?: string; message: string };
  audio?: { frames: number; bytes: number };
}

export interface VoiceBoxProps {
  t: T;
  state: string;
  exchanges: Exchange[];
  /** Sends a JSON frame or audio on the page's socket; false when it is not open. */
  send(frame: Record<string, unknown> | ArrayBuffer): boolean;
  asked(exchange: Exchange): void;
  update(id: string, change: Partial<Exchange>): void;
  canTalk: boolean;
}

let counter = 0;
const newId = (): string => `page-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export function VoiceBox({ t, state, exchanges, send, asked, update, canTalk }: VoiceBoxProps): unknown {
  const [text, setText] = useState('');
  const [micError, setMicError] = useState<string | null>(null);
  const [talking, setTalking] = useState(false);
  const capture = useRef<{ id: string; capture: Promise<Capture | null>; frames: number; bytes: number } | null>(null);

  const submit = (e: Event): void => {
    e.preventDefault();
    const said = text.trim();
    if (!said) return;
    const id = newId();
    asked({ id, asked: said });
    if (!send({ type: 'utterance', id, text: said, lang: document.documentElement.lang.startsWith('zh') ? 'zh' : 'en' })) {
      update(id, { error: { message: t('reconnecting') } });
    }
    setText('');
  };

  const startTalking = (): void => {
    if (capture.current) return;
    if (!window.isSecureContext || !navigator.mediaDevices) {
      setMicError(t('micInsecure'));
      return;
    }
    setMicError(null);
    const id = newId();
    const current = { id, frames: 0, bytes: 0, capture: Promise.resolve<Capture | null>(null) };
    capture.current = current;
    setTalking(true);
    asked({ id, asked: '🎤', audio: { frames: 0, bytes: 0 } });
    send({ type: 'audio.start', id, rate: 16000, format: 's16le' });
    current.capture = startCapture((pcm) => {
      if (send(pcm)) {
        current.frames++;
        current.bytes += pcm.byteLength;
      }
    }).catch((err: unknown) => {
      setMicError(t('micDenied', { reason: (err as Error).message ?? String(err) }));
      return null;
    });
  };

  const stopTalking = async (): Promise<void> => {
    const current = capture.current;
    if (!current) return;
    capture.current = null;
    setTalking(false);
    const c = await current.capture;
    await c?.stop();
    send({ type: 'audio.end', id: current.id });
    update(current.id, { audio: { frames: current.frames, bytes: current.bytes } });
  };

  const keyDown = (e: KeyboardEvent): void => {
    if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
      e.preventDefault();
      startTalking();
    }
  };
  const keyUp = (e: KeyboardEvent): void => {
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      void stopTalking();
    }
  };

  return html`
    <section class="voice" aria-labelledby="voice-title">
      <h2 id="voice-title">${t('voice')} <span class=${`session-state s-${state}`} aria-live="polite" data-state=${state}>${t('state')}: ${state}</span></h2>
      <form class="ask" onSubmit=${submit}>
        <input type="text" name="utterance" maxlength="500" placeholder=${t('typeCommand')} aria-label=${t('typeCommand')} value=${text}
          onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)} disabled=${!canTalk} />
        <button type="submit" disabled=${!canTalk}>${t('send')}</button>
      </form>
      <button class=${`talk${talking ? ' active' : ''}`} aria-pressed=${talking ? 'true' : 'false'} disabled=${!canTalk}
        onPointerDown=${startTalking} onPointerUp=${() => void stopTalking()} onPointerLeave=${() => void stopTalking()}
        onKeyDown=${keyDown} onKeyUp=${keyUp}>${talking ? t('listening') : t('holdToTalk')}</button>
      ${micError ? html`<p class="error" role="alert">${micError}</p>` : null}
      <ol class="exchanges" aria-live="polite">
        ${exchanges.map((x) => html`
          <li key=${x.id} data-id=${x.id}>
            <p class="asked">${x.asked}</p>
            ${x.audio ? html`<p class="muted audio-sent">${t('audioSent', { frames: x.audio.frames, seconds: (x.audio.bytes / 32000).toFixed(1) })}</p>` : null}
            ${x.transcript ? html`<p><span class="label">${t('transcript')}:</span> ${x.transcript}</p>` : null}
            ${x.reply !== undefined ? html`
              <p class="reply">${x.reply}</p>
              <dl class="meta">
                <dt>${t('intent')}</dt><dd class="intent">${x.intent ?? '–'}${x.handledBy ? ` (${x.handledBy})` : ''}</dd>
                <dt>${t('actions')}</dt><dd class="actions">${x.actions && x.actions.length > 0 ? x.actions.map((a) => `${a.device}: ${a.command}`).join(', ') : '–'}</dd>
                <dt>${t('timing')}</dt><dd>${x.ms !== undefined ? `${x.ms} ms` : '–'}</dd>
              </dl>` : null}
            ${x.error ? html`<p class="error" role="alert" data-code=${x.error.code}>${x.error.code === 'NO_STT' ? t('noStt') : x.error.code ? `${x.error.code}: ${x.error.message}` : x.error.message}</p>` : null}
          </li>`)}
      </ol>
    </section>`;
}
