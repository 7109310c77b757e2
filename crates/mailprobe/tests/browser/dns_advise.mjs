// "DNS" and "Advise" in a real browser: the page shows what the command line says for the
// same questions (the Rust test passes the command line's answers in).
import { config, check, open, saveHtml } from './lib.mjs';

const { page, done } = await open('en-US');

await page.click('#tab-dns');
await page.fill('#dns-domain', config.dns.domain);
await page.click('#dns-form button[type="submit"]');
await page.waitForSelector('#dns-result .mailprobe-report', { timeout: 30000 });
const dns = await page.locator('#dns-result').textContent();
for (const text of config.dns.shows) check(dns.includes(text), 'dns: the page lacks ' + JSON.stringify(text) + ':\n' + dns);
check(await page.locator('#dns-result [data-action="download-json"]').count() === 1, 'dns: no download');

await page.click('#tab-advise');
await page.selectOption('#advise-tls', config.advise.tls);
await page.selectOption('#advise-login', config.advise.can_login);
await page.selectOption('#advise-static-ip', config.advise.static_ip);
await page.click('#advise-form button[type="submit"]');
await page.waitForSelector('#advise-result .mailprobe-report', { timeout: 30000 });
const advice = await page.locator('#advise-result').textContent();
for (const text of config.advise.shows) check(advice.includes(text), 'advise: the page lacks ' + JSON.stringify(text) + ':\n' + advice);

// Italian: the advice is asked for again, in Italian.
await page.selectOption('#lang', 'it');
await page.waitForFunction(t => document.getElementById('advise-result').innerText.includes(t), config.advise.italian, { timeout: 15000 });
await saveHtml(page, 'dns-advise');
await done();
console.log('dns, advise: ok');
