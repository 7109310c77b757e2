// Shared by the browser tests of `mailprobe serve`: Debian's Chromium driven by playwright-core,
// on loopback only, with a fresh profile in the test's temporary directory.
import { chromium } from 'playwright-core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/// The test's settings, from the Rust test (JSON in MAILPROBE_BROWSER_CONFIG).
export const config = JSON.parse(process.env.MAILPROBE_BROWSER_CONFIG || '{}');

/// Fails the script with a message the Rust test prints.
export function check(condition, message) {
  if (!condition) throw new Error('check failed: ' + message);
}

/// Launches Chromium, opens the printed address, and waits until the page has loaded its texts.
/// Any request to anything but the server under test fails the test: the page must load
/// nothing from outside.
export async function open(lang) {
  const profile = mkdtempSync(join(config.tmp, 'chromium-profile-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: config.chromium || '/usr/bin/chromium',
    headless: true,
    locale: lang || 'en-US',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60000,
  });
  const origin = new URL(config.url).origin;
  const foreign = [];
  const page = browser.pages()[0] || await browser.newPage();
  // What mailprobe's page loads (another tab, such as a provider's sign-in page, is not it).
  browser.on('request', r => {
    const u = r.url();
    let from = null;
    try { from = r.frame().page(); } catch (_) { /* a new tab's first navigation: no frame yet */ }
    if (from ? from !== page : r.isNavigationRequest()) return;
    if (!u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
  });
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(config.url);
  // The token left the address bar at once (it became an HttpOnly cookie).
  check(!page.url().includes('token='), 'the token is still in the address: ' + page.url());
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  const done = async () => {
    check(foreign.length === 0, 'the page asked for something elsewhere: ' + foreign.join(', '));
    check(errors.length === 0, 'errors in the page: ' + errors.join('; '));
    await browser.close();
  };
  return { browser, page, done, errors };
}

/// Saves the page's HTML under the test's output directory (the Rust test searches every file
/// there for the passwords) and checks here too that no password is in it.
export async function saveHtml(page, name) {
  const html = await page.content();
  writeFileSync(join(config.out, name + '.html'), html);
  for (const secret of config.secrets || []) check(!html.includes(secret), name + ': a password is in the page HTML');
  return html;
}

/// Texts of every element matching `selector`.
export async function texts(page, selector) {
  return page.locator(selector).allInnerTexts();
}
