import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package (`.ci/run` installs it); nothing downloads a browser. */
export const CHROMIUM = process.env.VOICEHUB_CHROMIUM ?? '/usr/bin/chromium';

export async function chromiumMissing(): Promise<string | false> {
  try {
    await access(CHROMIUM);
    return false;
  } catch {
    return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set VOICEHUB_CHROMIUM)`;
  }
}

/**
 * One headless Chromium with a temp profile, driven by playwright-core. `extraArgs` adds flags such as the
 * fake microphone's. close() ends the browser and removes the profile.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'voicehub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', ...extraArgs],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}
