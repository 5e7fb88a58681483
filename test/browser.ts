/** Debian's Chromium driven by playwright-core (never a downloaded browser), for the webview tests. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { ROOT } from './support.js';

export const CHROMIUM = process.env.STEPLENS_CHROMIUM ?? '/usr/bin/chromium';
export const TEST_OUTPUT = join(ROOT, 'test-output');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--allow-file-access-from-files',
];

export function launchChromium(): Promise<Browser> {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
