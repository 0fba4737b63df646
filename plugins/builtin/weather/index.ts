import type { HandlerContext, IntentReply, IntentRequest, PluginApi, PluginManifest } from '../../sdk/index.js';
import { describeCode } from './conditions.js';
import { SENTENCES } from './sentences.js';

/**
 * The seed article's example of a scoped plugin (`com.example.weather`, capability `weather_query`,
 * scopes `geo:read` + `cloud:request`). It ships with the hub but is treated as third-party: it runs only
 * once voicehub.yaml grants both scopes:
 *
 * ```yaml
 * location: { latitude: 52.52, longitude: 13.41, timezone: Europe/Berlin }
 * plugins:
 *   com.example.weather: { grant: [geo:read, cloud:request] }
 * ```
 *
 * It asks an Open-Meteo-compatible forecast endpoint (`config.url`; a `/path` goes through the hub's cloud)
 * and answers plainly when it cannot: no location configured, or no internet.
 */
export const manifest: PluginManifest = {
  id: 'com.example.weather',
  version: '1.0.0',
  name: 'Weather (example)',
  description: 'Current weather at the hub location; the example of a plugin with scopes',
  capabilities: ['weather_query'],
  requiredScopes: ['geo:read', 'cloud:request'],
  intents: ['HassGetWeather'],
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', pattern: '^(https?://|/)', default: 'https://api.open-meteo.com/v1/forecast' },
    },
    additionalProperties: false,
  },
};

const TEXTS: Record<'en' | 'zh', Record<string, string>> = {
  en: {
    weather: 'It is {{ condition }} and {{ temperature }} °C.',
    no_location: 'I need to know where the hub is for the weather: set location.latitude and location.longitude in voicehub.yaml.',
    no_internet: 'I cannot get the weather right now: the hub needs internet for that.',
  },
  zh: {
    weather: '现在{{ condition }}，气温{{ temperature }}°C。',
    no_location: '需要知道主机的位置才能查天气：请在 voicehub.yaml 中设置 location.latitude 和 location.longitude。',
    no_internet: '现在查不到天气：这需要主机能连上互联网。',
  },
};

interface Forecast {
  current?: { temperature_2m?: number; weather_code?: number };
}

export function onRegister(api: PluginApi): void {
  for (const lang of ['en', 'zh'] as const) {
    api.intents.addResponses(lang, TEXTS[lang]);
    for (const [intent, sentences] of Object.entries(SENTENCES[lang])) api.intents.addSentences({ lang, intent, sentences });
  }
  api.intents.handle('HassGetWeather', (req, ctx) => weather(api, req, ctx));
}

async function weather(api: PluginApi, req: IntentRequest, ctx: HandlerContext): Promise<IntentReply> {
  const lang = req.lang.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  const { latitude, longitude } = api.location;
  if (latitude === null || longitude === null) return { text: api.respond('no_location', {}, lang), data: { reason: 'no_location' } };
  const base = String(api.config.url);
  const query = `latitude=${latitude}&longitude=${longitude}&current=temperature_2m,weather_code`;
  let forecast: Forecast;
  try {
    const res = await api.cloud.request(`${base}${base.includes('?') ? '&' : '?'}${query}`, { signal: ctx.signal });
    if (res.status !== 200) throw new Error(`weather service answered ${res.status}`);
    forecast = await res.json<Forecast>();
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ err }, 'weather request failed');
    return { text: api.respond('no_internet', {}, lang), data: { reason: 'no_internet' } };
  }
  const temperature = forecast.current?.temperature_2m;
  if (typeof temperature !== 'number') return { text: api.respond('no_internet', {}, lang), data: { reason: 'bad_answer' } };
  return {
    text: api.respond('weather', { condition: describeCode(forecast.current?.weather_code, lang), temperature: Math.round(temperature) }, lang),
    data: { temperatureC: temperature, weatherCode: forecast.current?.weather_code ?? null },
  };
}
