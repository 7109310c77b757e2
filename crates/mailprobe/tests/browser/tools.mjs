// The other sections in a real browser: the page usable by keyboard, "Explain an error" with a
// pasted reply, "Read a log" with an uploaded Postfix log, and Italian (switched on the page,
// and by default for a browser that prefers it).
import { config, check, open, saveHtml } from './lib.mjs';

const { page, done } = await open('en-US');

// Every form control has a label a screen reader reads out.
const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id || e.outerHTML));
check(unlabelled.length === 0, 'controls without a label: ' + unlabelled.join(', '));

// Tabs by keyboard: arrow keys move between sections.
await page.focus('#tab-test');
await page.keyboard.press('ArrowRight');
check(await page.locator('#tab-explain').getAttribute('aria-selected') === 'true', 'ArrowRight did not select "Explain an error"');
check(await page.locator('#panel-explain').isVisible(), 'the Explain panel is not shown');
check(await page.evaluate(() => document.activeElement.id) === 'tab-explain', 'focus did not follow the selected tab');

// Explain: paste, then the findings the command line gives for the same text.
await page.fill('#explain-text', config.explain.text);
await page.focus('#explain-form button[type="submit"]');
await page.keyboard.press('Enter');
await page.waitForSelector('#explain-result [data-finding]', { timeout: 20000 });
const explained = await page.locator('#explain-result [data-finding]').evaluateAll(els => els.map(e => e.dataset.finding));
check(explained[0] === config.explain.id, 'explain: first finding ' + explained[0] + ', the command line says ' + config.explain.id);
const fixes = await page.locator('#explain-result .fixes li').allInnerTexts();
check(fixes.length > 0, 'explain: no fix shown');
check(fixes.some(x => x.includes(config.explain.fix)), 'explain: no fix saying ' + JSON.stringify(config.explain.fix) + ' in ' + JSON.stringify(fixes));

// Italian, switched on the page: the page's own words and the findings (from the knowledge
// base) change, the explanation is asked for again in Italian.
await page.selectOption('#lang', 'it');
await page.waitForFunction(t => document.getElementById('explain-result').innerText.includes(t), config.explain.italian, { timeout: 15000 });
check(await page.locator('#tab-explain').innerText() === 'Spiega un errore', 'the tab is not in Italian');
check(await page.evaluate(() => document.documentElement.lang) === 'it', 'html lang is not it');
await saveHtml(page, 'tools-explain-it');
await page.selectOption('#lang', 'en');
await page.waitForFunction(() => document.getElementById('tab-explain').innerText === 'Explain an error');

// Read a log: upload a Postfix log; the counts are those `mailprobe analyze` gives.
await page.click('#tab-log');
await page.setInputFiles('#log-file', config.log.path);
await page.click('#log-form button[type="submit"]');
await page.waitForSelector('#log-result .log-summary', { timeout: 30000 });
const summary = (await page.locator('#log-result .log-summary').allInnerTexts()).join('\n');
for (const text of config.log.summary) check(summary.includes(text), 'log: the summary lacks ' + JSON.stringify(text) + ': ' + summary);
const count = await page.locator('[data-finding-count="' + config.log.id + '"] td').first().innerText();
check(count === String(config.log.count), 'log: ' + config.log.id + ' counted ' + count + ', expected ' + config.log.count);
check(await page.locator('#log-result .log-sessions tbody tr').count() === config.log.failed, 'log: not every failed session listed');
await saveHtml(page, 'tools-log');
await done();

// A browser that prefers Italian gets the page in Italian from the start.
const italian = await open('it-IT');
check(await italian.page.locator('#run-test').innerText() === 'Avvia la prova', 'an Italian browser did not get the page in Italian');
await saveHtml(italian.page, 'tools-italian-browser');
await italian.done();
console.log('tools: ok');
