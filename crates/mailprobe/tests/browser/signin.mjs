// OAuth sign-in from the page, in a real browser: the page starts mailprobe's browser flow
// (loopback redirect + PKCE) against the test authorization server, the sign-in page opens in a
// new tab where the person logs in and consents, the page learns who signed in, and the test
// then signs in to the test Postfix with XOAUTH2 — no password typed anywhere.
import { config, check, open, saveHtml } from './lib.mjs';

const { page, done, browser } = await open('en-US');
const c = config.signin;
await page.click('#tab-test');
await page.selectOption('#preset', 'other');
await page.fill('#host', c.host);
await page.fill('#port', String(c.port));
await page.selectOption('#security', 'starttls');
await page.fill('#from', c.user);
await page.fill('#to', c.to);

// The sign-in section, by keyboard: open it, fill it in.
await page.focus('#signin summary');
await page.keyboard.press('Enter');
check(await page.locator('#signin-client').isVisible(), 'Enter did not open the sign-in section');
await page.selectOption('#signin-provider', 'custom');
await page.fill('#signin-client', c.client_id);
await page.fill('#signin-issuer', c.issuer);
await page.fill('#signin-scopes', c.scopes);
await page.click('#signin-start');
await page.waitForSelector('#signin-link', { timeout: 30000 });
const href = await page.locator('#signin-link').getAttribute('href');
check(href.startsWith(c.issuer) && href.includes('code_challenge_method=S256'), 'the sign-in address: ' + href);
check(await page.locator('#signin-link').getAttribute('target') === '_blank', 'the sign-in page does not open in a new tab');

// The provider's pages, in the new tab: log in, consent, back to mailprobe's loopback listener.
const [tab] = await Promise.all([browser.waitForEvent('page'), page.click('#signin-link')]);
let finished = '';
for (let i = 0; i < 10 && !finished; i++) {
  await tab.waitForLoadState('load');
  if (await tab.locator('input[name="login"]').count()) {
    await tab.fill('input[name="login"]', c.user);
    await tab.fill('input[name="password"]', 'any-password');
    await Promise.all([tab.waitForNavigation(), tab.locator('button[type="submit"], input[type="submit"]').first().click()]);
  } else if (await tab.locator('input[name="prompt"][value="consent"]').count()) {
    await Promise.all([tab.waitForNavigation(), tab.locator('button[type="submit"], input[type="submit"]').first().click()]);
  } else if ((await tab.content()).includes('Signed in')) {
    finished = tab.url();
  } else {
    await tab.waitForTimeout(300);
  }
}
check(finished.startsWith('http://127.0.0.1:') && finished.includes('/callback'), 'the sign-in did not come back to mailprobe: ' + tab.url());
await tab.close();

// The page learns who signed in and uses the sign-in instead of a password.
await page.waitForSelector('#signin-status [data-signed-in]', { timeout: 30000 });
const who = await page.locator('#signin-status [data-signed-in]').getAttribute('data-signed-in');
check(who === c.user, 'signed in as ' + JSON.stringify(who) + ', expected ' + c.user);
check(await page.locator('#use-token').isChecked(), 'the OAuth sign-in is not ticked');
check(await page.locator('#password').isDisabled(), 'the password field is still asked for');
check(await page.locator('#user').inputValue() === c.user, 'the user name was not filled in');

await page.focus('#run-test');
await page.keyboard.press('Enter');
await page.waitForFunction(() => /\b(ok|bad)\b/.test(document.getElementById('test-status').className)
  || document.querySelector('#test-findings .error-box'), null, { timeout: 60000 });
const error = await page.locator('#test-findings .error-box').count();
check(error === 0, 'the test could not run: ' + (error ? await page.locator('#test-findings .error-box').innerText() : ''));
const ok = await page.locator('#test-status').evaluate(e => e.classList.contains('ok'));
const auth = await page.locator('#steps .live-step[data-stage="auth"]').first().evaluate(e => ({
  mark: e.querySelector('.mark').textContent, details: e.querySelector('pre').textContent }));
const ids = await page.locator('#test-findings [data-finding]').evaluateAll(els => els.map(e => e.dataset.finding));
check(ok, 'the test with the OAuth sign-in failed: ' + JSON.stringify(ids) + ' ' + auth.details);
check(auth.mark === '✓' && auth.details.includes('XOAUTH2'), 'no XOAUTH2 sign-in step: ' + JSON.stringify(auth));
check(/<redacted/.test(auth.details), 'the token is not redacted in the transcript: ' + auth.details);

// The device flow (what Microsoft uses by default): the page shows an address and a code; the
// person enters the code there (here, in another tab), signs in and consents.
if (c.device_client_id) {
  await page.selectOption('#signin-flow', 'device');
  await page.fill('#signin-client', c.device_client_id);
  await page.click('#signin-start');
  await page.waitForSelector('#signin-status [data-user-code]', { timeout: 30000 });
  const code = await page.locator('#signin-status [data-user-code]').getAttribute('data-user-code');
  const shown = await page.locator('#signin-status').innerText();
  check(code && shown.includes(code) && shown.includes(c.issuer), 'the device code and its address are not shown: ' + shown);
  const [tab] = await Promise.all([browser.waitForEvent('page'), page.click('#signin-link')]);
  let over = false;
  for (let i = 0; i < 12 && !over; i++) {
    await tab.waitForLoadState('load');
    const html = await tab.content();
    const submit = tab.locator('button[type="submit"], input[type="submit"]').first();
    if (/Sign-in Success|successfully|signed in/iu.test(html)) {
      over = true;
    } else if (await tab.locator('input[name="login"]').count()) {
      await tab.fill('input[name="login"]', c.user);
      await tab.fill('input[name="password"]', 'any-password');
      await Promise.all([tab.waitForNavigation(), submit.click()]);
    } else if (await tab.locator('input[name="user_code"]').count() && !(await tab.locator('input[name="user_code"]').inputValue())) {
      await tab.fill('input[name="user_code"]', code);
      await Promise.all([tab.waitForNavigation(), submit.click()]);
    } else if (await submit.count()) {
      await Promise.all([tab.waitForNavigation(), submit.click()]);
    } else {
      await tab.waitForTimeout(300);
    }
  }
  check(over, 'the device sign-in did not finish: ' + (await tab.content()).replace(/\s+/g, ' ').slice(0, 300));
  await tab.close();
  await page.waitForSelector('#signin-status [data-signed-in]', { timeout: 30000 });
  const again = await page.locator('#signin-status [data-signed-in]').getAttribute('data-signed-in');
  check(again === c.user, 'device flow: signed in as ' + JSON.stringify(again));
}

await saveHtml(page, 'signin');
await done();
console.log(JSON.stringify({ who, ids }));
