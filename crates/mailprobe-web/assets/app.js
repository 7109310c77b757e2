// mailprobe serve: the page's behaviour. Plain JavaScript, no library, nothing from elsewhere.
// Text from servers, logs and people only ever reaches the page as text (textContent), except
// the report fragments the server renders with its own escaping HTML renderer.
'use strict';

const state = {
  lang: 'en',
  dict: {},
  info: null,
  guide: null,
  last: {}, // per section: the last answer, for copy/download and for redrawing on a language switch
  running: false,
};

// ------------------------------------------------------------------ small helpers

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/// A UI string in the chosen language, `{name}` filled from `args`.
function t(key, args) {
  let s = state.dict[key];
  if (s === undefined) s = key;
  for (const [k, v] of Object.entries(args || {})) s = s.split('{' + k + '}').join(String(v));
  return s;
}

/// Text with `code` spans, as DOM nodes (no HTML parsing).
function richText(s) {
  return s.split('`').map((part, i) => (i % 2 ? el('code', { text: part }) : document.createTextNode(part)));
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, options));
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { const body = await response.json(); if (body.error) message = body.error; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function postJson(path, body) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

function showError(container, error) {
  container.replaceChildren(el('p', { class: 'error-box', role: 'alert', text: t('error', { message: error.message }) }));
}

function busy(form, on) {
  for (const b of form.querySelectorAll('button[type="submit"]')) b.disabled = on;
  form.setAttribute('aria-busy', on ? 'true' : 'false');
}

// ------------------------------------------------------------------ language

function pickLanguage() {
  const saved = localStorage.getItem('mailprobe-lang');
  if (saved === 'en' || saved === 'it') return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (base === 'it' || base === 'en') return base;
  }
  return 'en';
}

async function setLanguage(lang, remember) {
  const response = await api('/assets/' + lang + '.json');
  state.dict = await response.json();
  state.lang = lang;
  if (remember) localStorage.setItem('mailprobe-lang', lang);
  document.documentElement.lang = lang;
  $('lang').value = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) {
    node.replaceChildren(...richText(t(node.dataset.i18n)));
  }
  document.title = t('title');
  await loadInfo();
  await redrawAfterLanguageChange();
}

async function loadInfo() {
  const response = await api('/api/info?lang=' + state.lang);
  state.info = await response.json();
  for (const select of document.querySelectorAll('select.audience')) {
    const chosen = select.value || 'all';
    select.replaceChildren(el('option', { value: 'all', text: t('audience-all') }),
      ...state.info.audiences.map(a => el('option', { value: a.id, text: a.label })));
    select.value = chosen;
  }
  applyPreset(false);
  const playbook = $('guide-playbook');
  const chosen = playbook.value;
  playbook.replaceChildren(...state.info.playbooks.map(p => el('option', { value: p.id, text: p.title })));
  if (chosen) playbook.value = chosen;
  await loadPlaybook();
}

/// Findings are in the language of the run: ask the server for them again in the new one.
async function redrawAfterLanguageChange() {
  const last = state.last;
  if (last.test && last.test.report) {
    try {
      const response = await postJson('/api/relocalize', { report: last.test.report, lang: state.lang });
      last.test = await response.json();
      showReport('test', last.test);
    } catch (e) { showError($('test-findings'), e); }
  }
  for (const [section, resend] of Object.entries(rerun)) {
    if (last[section] && last[section].request) resend(last[section].request);
  }
}

// ------------------------------------------------------------------ tabs

function selectTab(tab, focus) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const on = other === tab;
    other.setAttribute('aria-selected', on ? 'true' : 'false');
    other.tabIndex = on ? 0 : -1;
    $(other.getAttribute('aria-controls')).hidden = !on;
  }
  if (focus) tab.focus();
  history.replaceState(null, '', '#' + tab.id.replace('tab-', ''));
}

function setupTabs() {
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => selectTab(tab, false));
    tab.addEventListener('keydown', e => {
      const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -i, End: tabs.length - 1 - i };
      if (!(e.key in moves)) return;
      e.preventDefault();
      selectTab(tabs[(i + moves[e.key] + tabs.length) % tabs.length], true);
    });
  });
  const wanted = $('tab-' + location.hash.slice(1));
  if (wanted) selectTab(wanted, false);
}

// ------------------------------------------------------------------ the mailbox test

function applyPreset(resetFields) {
  if (!state.info) return;
  const preset = state.info.presets.find(p => p.id === $('preset').value);
  if (!preset) return;
  $('host').placeholder = preset.host || (preset.signs_in ? 'mail.example.com' : t('host-tenant-mx'));
  $('port').placeholder = preset.port ? String(preset.port) : '587';
  const signsIn = preset.signs_in;
  for (const id of ['user', 'password', 'use-token']) $(id).disabled = !signsIn;
  if (resetFields) { $('host').value = ''; $('port').value = ''; $('security').value = 'auto'; }
}

function mailboxRequest() {
  const value = id => $(id).value.trim();
  const port = value('port');
  return {
    preset: $('preset').value,
    host: value('host') || null,
    port: port ? Number(port) : null,
    security: $('security').value,
    user: $('user').disabled ? null : value('user') || null,
    // The password goes in this one request and nowhere else (not stored, not logged).
    password: $('password').disabled || $('use-token').checked ? null : $('password').value || null,
    use_token: !$('use-token').disabled && $('use-token').checked,
    from: value('from') || null,
    to: value('to') || null,
    imap: $('imap').checked,
    imap_server: $('imap').checked ? value('imap-server') || null : null,
    tls_scan: $('tls-scan').checked,
    old_tls: $('old-tls').checked,
    connect_to: value('connect-to') || null,
    lang: state.lang,
  };
}

/// One streamed connection: a heading and its steps, redrawn as events arrive.
function stepMark(step, warnStages) {
  if (step.running) return ['running', '…', t('step-running')];
  if (!step.ok) return ['bad', '✗', t('step-failed')];
  if (warnStages.has(step.stage)) return ['warn', '!', t('step-warning')];
  return ['ok', '✓', t('step-ok')];
}

function renderConnection(list, probe, warnStages) {
  let block = list.querySelector('[data-probe="' + probe.probe + '"]');
  if (!block) {
    block = el('li', { 'data-probe': String(probe.probe), class: 'connection' });
    list.append(block);
  }
  const steps = el('ol', { class: 'live-steps' });
  for (const step of probe.steps) {
    const [cls, mark, word] = stepMark(step, warnStages);
    const details = el('details', {},
      el('summary', { text: t('details') }),
      el('pre', { text: (step.lines || []).join('\n') || t('no-details') }));
    steps.append(el('li', { class: 'live-step ' + cls, 'data-stage': step.stage },
      el('div', { class: 'line' },
        el('span', { class: 'mark', 'aria-hidden': 'true', text: mark }),
        el('span', { class: 'visually-hidden', text: word + ': ' }),
        el('span', { class: 'sentence', text: step.sentence }),
        el('span', { class: 'time', text: t('ms', { ms: step.duration_ms }) })),
      details));
  }
  block.replaceChildren(el('h3', { text: probe.title }), steps);
}

async function readStream(response, onMessage) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffered += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) onMessage(JSON.parse(line));
    }
    if (done) break;
  }
}

async function runStreamed(section, path, body, ids) {
  const list = $(ids.steps);
  list.replaceChildren();
  $(ids.findings).replaceChildren();
  if (ids.status) { $(ids.status).textContent = t('running'); $(ids.status).className = 'status'; }
  let final = null;
  const response = await postJson(path, body);
  await readStream(response, message => {
    if (message.type === 'progress') renderConnection(list, message, new Set());
    else if (message.type === 'report') final = message;
    else if (message.type === 'error') throw new Error(message.message);
  });
  if (!final) throw new Error(t('no-report'));
  state.last[section] = final;
  return final;
}

function showReport(section, answer) {
  const ids = sections[section];
  const report = answer.report;
  const warnStages = new Set(report.findings.filter(f => f.severity === 'warning').map(f => f.stage));
  const list = $(ids.steps);
  list.replaceChildren();
  for (const probe of answer.connections || []) renderConnection(list, probe, warnStages);
  if (answer.tls) attachTls(list, answer.tls);
  if (ids.status) {
    const status = $(ids.status);
    status.textContent = report.ok ? t('verdict-ok') : t('verdict-bad');
    status.className = 'status ' + (report.ok ? 'ok' : 'bad');
  }
  renderFindings($(ids.findings), report.findings, $(ids.audience).value);
  if (ids.actions) renderActions($(ids.actions), section, answer);
}

/// The TLS evidence goes under the encryption step of the SMTP connection it was read from
/// (its details: the versions table, the chain); with no such step, after the steps.
function attachTls(list, tls) {
  const where = tls.endpoint ? tls.endpoint.host + ':' + tls.endpoint.port : null;
  const block = [...list.querySelectorAll('.connection')]
    .find(b => where && b.querySelector('h3') && b.querySelector('h3').textContent.includes(where));
  const details = block && block.querySelector('.live-step[data-stage="tls"] details');
  if (details) {
    details.append(el('div', { class: 'tls' }, renderTls(tls)));
    return;
  }
  list.append(el('li', { class: 'tls' }, el('details', {}, el('summary', { text: t('tls-section') }), renderTls(tls))));
}

function renderTls(tls) {
  const body = [];
  if (tls.versions && tls.versions.length) {
    body.push(el('table', {},
      el('caption', { text: t('tls-versions') }),
      el('thead', {}, el('tr', {}, el('th', { text: t('tls-version') }), el('th', { text: t('tls-accepted') }),
        el('th', { text: t('tls-answer') }))),
      el('tbody', {}, tls.versions.map(v => el('tr', { 'data-version': v.version,
        'data-accepted': v.accepted === null || v.accepted === undefined ? 'unknown' : String(v.accepted) },
      el('td', { text: 'TLS ' + v.version }),
      // no usable answer (a timeout, a reset) is not a refusal
      el('td', { text: v.accepted === true ? t('yes') : v.accepted === false ? t('no') : t('tls-no-answer') }),
      el('td', { text: v.detail || '' }))))));
  }
  if (tls.negotiated) body.push(el('p', { text: t('tls-negotiated', { what: tls.negotiated }) }));
  if (tls.failure) body.push(el('p', { text: tls.failure }));
  if (tls.chain && tls.chain.length) {
    body.push(el('h4', { text: t('tls-chain') }));
    body.push(el('ol', {}, tls.chain.map(c => el('li', {},
      el('div', { text: c.subject }),
      el('div', { class: 'hint', text: t('tls-issuer', { issuer: c.issuer }) }),
      el('div', { class: 'hint', text: c.not_before + ' … ' + c.not_after }),
      c.names && c.names.length ? el('div', { class: 'hint', text: c.names.join(', ') }) : null))));
  }
  return body;
}

function renderFindings(container, findings, audience) {
  container.replaceChildren();
  if (!findings.length) {
    container.append(el('p', { text: t('no-findings') }));
    return;
  }
  container.append(el('h2', { text: t('findings') }));
  findings.forEach((f, rank) => {
    const fixes = f.fixes.filter(x => audience === 'all' || !x.audience || x.audience === audience);
    const audienceLabel = id => {
      const a = state.info && state.info.audiences.find(x => x.id === id);
      return a ? a.label : id;
    };
    container.append(el('article', { class: 'live-finding ' + f.severity, 'data-finding': f.id },
      el('h3', {}, (rank + 1) + '. ' + f.title, ' ', el('span', { class: 'id' }, '(', el('code', { text: f.id }), ')')),
      el('p', { class: 'summary', text: f.summary }),
      f.causes.length ? [el('h4', { text: t('why') }), el('ol', { class: 'causes' }, f.causes.map(c => el('li', { text: c })))] : null,
      fixes.length ? [el('h4', { text: t('what-to-do') }),
        el('ol', { class: 'fixes' }, fixes.map(x => el('li', { class: 'fix', 'data-audience': x.audience || '' },
          x.audience ? el('span', { class: 'who', text: t('for-audience', { who: audienceLabel(x.audience) }) + ' ' }) : null,
          el('span', { text: x.text }))))] : null,
      fixes.length < f.fixes.length ? el('p', { class: 'hint', text: t('fixes-hidden', { n: f.fixes.length - fixes.length }) }) : null,
      f.evidence.length ? el('details', {}, el('summary', { text: t('evidence') }), el('pre', { text: f.evidence.join('\n') })) : null));
  });
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function renderActions(container, section, answer) {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const note = el('span', { role: 'status', class: 'hint' });
  container.replaceChildren(
    el('button', { type: 'button', 'data-action': 'copy-markdown', text: t('copy-markdown'), onclick: async () => {
      try { await navigator.clipboard.writeText(answer.markdown); note.textContent = t('copied'); }
      catch (_) { download('mailprobe-' + section + '-' + stamp + '.md', 'text/markdown', answer.markdown); }
    } }),
    el('button', { type: 'button', 'data-action': 'download-json', text: t('download-json'),
      onclick: () => download('mailprobe-' + section + '-' + stamp + '.json', 'application/json', JSON.stringify(answer.report, null, 2)) }),
    el('button', { type: 'button', 'data-action': 'download-html', text: t('download-html'),
      onclick: () => download('mailprobe-' + section + '-' + stamp + '.html', 'text/html', answer.document) }),
    note);
  container.hidden = false;
}

const sections = {
  test: { steps: 'steps', findings: 'test-findings', status: 'test-status', audience: 'audience', actions: 'test-actions' },
  guide: { steps: 'guide-steps', findings: 'guide-findings', status: 'guide-status', audience: 'guide-audience' },
};

function setupMailbox() {
  $('preset').addEventListener('change', () => applyPreset(true));
  $('use-token').addEventListener('change', () => { $('password').disabled = $('use-token').checked; });
  $('imap').addEventListener('change', () => { $('imap-server-row').hidden = !$('imap').checked; });
  $('signin-start').addEventListener('click', signIn);
  $('audience').addEventListener('change', () => { if (state.last.test) showReport('test', state.last.test); });
  $('mailbox-form').addEventListener('submit', async e => {
    e.preventDefault();
    const form = e.currentTarget;
    busy(form, true);
    $('test-result').hidden = false;
    $('test-actions').hidden = true;
    try {
      const answer = await runStreamed('test', '/api/diagnose', mailboxRequest(), sections.test);
      showReport('test', answer);
    } catch (err) {
      $('test-status').textContent = '';
      showError($('test-findings'), err);
    } finally {
      busy(form, false);
    }
  });
}

/// OAuth sign-in through mailprobe's own flows: the server starts it and says what to open (the
/// provider's sign-in page, or an address and a code); the page asks until it is done, then the
/// test uses it. The token never comes to the page.
async function signIn() {
  const out = $('signin-status');
  const button = $('signin-start');
  button.disabled = true;
  try {
    const started = await (await postJson('/api/signin', {
      provider: $('signin-provider').value, client_id: $('signin-client').value,
      tenant: $('signin-tenant').value, issuer: $('signin-issuer').value, scopes: $('signin-scopes').value,
      flow: $('signin-flow').value,
    })).json();
    const link = el('a', { href: started.url, target: '_blank', rel: 'noopener noreferrer', id: 'signin-link', text: t('signin-open') });
    const what = started.flow === 'device'
      ? el('p', { 'data-user-code': started.user_code, text: t('signin-device', { url: started.verification_uri, code: started.user_code }) })
      : el('p', { text: t('signin-browser') });
    const waiting = el('p', { class: 'hint', text: t('signin-waiting') });
    out.replaceChildren(what, el('p', {}, link), waiting);
    link.focus();
    for (;;) {
      await new Promise(r => setTimeout(r, 1000));
      const now = await (await api('/api/signin?id=' + started.id)).json();
      if (now.state === 'waiting') continue;
      if (now.state === 'done') {
        out.replaceChildren(el('p', { class: 'status ok', 'data-signed-in': now.user || '',
          text: now.user ? t('signin-done', { user: now.user }) : t('signin-done-nouser') }));
        $('use-token').checked = true;
        $('password').disabled = true;
        if (now.user && !$('user').value.trim()) $('user').value = now.user;
      } else {
        showError(out, new Error(t('signin-failed', { message: now.message })));
      }
      break;
    }
  } catch (err) {
    showError(out, err);
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------ explain, log, dns, advise

function fragment(container, answer) {
  // The server's HTML renderer escapes every value it did not write itself.
  const box = el('div', { class: 'report-fragment' });
  box.innerHTML = answer.html;
  return box;
}

const rerun = {
  explain: request => explain(request),
  log: request => readLog(request),
  dns: request => simple('dns', '/api/dns', request),
  advise: request => simple('advise', '/api/advise', request),
};

async function explain(request) {
  const out = $('explain-result');
  request.lang = state.lang;
  try {
    const answer = await (await postJson('/api/explain', request)).json();
    answer.request = request;
    state.last.explain = answer;
    drawExplain();
  } catch (err) { showError(out, err); }
}

function drawExplain() {
  const answer = state.last.explain;
  const out = $('explain-result');
  out.replaceChildren();
  for (const line of answer.understood || []) out.append(el('p', { class: 'hint', text: line }));
  const findings = el('div');
  renderFindings(findings, answer.report.findings, $('explain-audience').value);
  if (!answer.report.findings.length && answer.no_findings) findings.replaceChildren(el('p', { text: answer.no_findings }));
  out.append(findings);
  for (const line of answer.notes || []) out.append(el('p', { class: 'hint', text: line }));
  const actions = el('div', { class: 'actions' });
  renderActions(actions, 'explain', answer);
  out.append(actions);
}

async function readLog(request) {
  const out = $('log-result');
  out.replaceChildren(el('p', { role: 'status', text: t('running') }));
  try {
    const response = await api('/api/analyze?lang=' + state.lang + '&name=' + encodeURIComponent(request.name),
      { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: request.bytes });
    const answer = await response.json();
    answer.request = request;
    state.last.log = answer;
    drawLog();
  } catch (err) { showError(out, err); }
}

function drawLog() {
  const answer = state.last.log;
  const report = answer.report;
  const out = $('log-result');
  const counts = el('table', { class: 'log-counts' },
    el('caption', { text: t('log-by-finding') }),
    el('tbody', {}, report.findings.map(f => el('tr', { 'data-finding-count': f.id },
      el('td', { class: 'num', text: String(f.count) }), el('td', {}, el('code', { text: f.id })), el('td', { text: f.title })))));
  const findings = el('div');
  renderFindings(findings, report.findings, $('log-audience').value);
  const sessions = report.failed_sessions.length ? el('table', { class: 'log-sessions' },
    el('caption', { text: t('log-failed-sessions') }),
    el('thead', {}, el('tr', {}, ['log-session', 'log-when', 'log-client', 'user', 'log-stopped', 'log-findings']
      .map(k => el('th', { text: t(k) })))),
    el('tbody', {}, report.failed_sessions.map(s => el('tr', {},
      el('td', { text: s.id + ' (' + s.first_line + '–' + s.last_line + ')' }), el('td', { text: s.started || '' }),
      el('td', { text: s.client || '' }), el('td', { text: s.user || '' }), el('td', { text: s.stopped || '' }),
      el('td', { text: s.findings.join(', ') }))))) : null;
  const actions = el('div', { class: 'actions' });
  renderActions(actions, 'log', answer);
  out.replaceChildren(...answer.summary.map(line => el('p', { class: 'log-summary', text: line })),
    report.findings.length ? counts : null, findings, sessions, actions);
}

async function simple(section, path, request) {
  const out = $(section + '-result');
  out.replaceChildren(el('p', { role: 'status', text: t('running') }));
  request.lang = state.lang;
  try {
    const answer = await (await postJson(path, request)).json();
    answer.request = request;
    state.last[section] = answer;
    const actions = el('div', { class: 'actions' });
    renderActions(actions, section, answer);
    out.replaceChildren(fragment(out, answer), actions);
  } catch (err) { showError(out, err); }
}

function setupTools() {
  $('explain-form').addEventListener('submit', async e => {
    e.preventDefault();
    const form = e.currentTarget;
    busy(form, true);
    await explain({ text: $('explain-text').value });
    busy(form, false);
  });
  $('explain-audience').addEventListener('change', () => { if (state.last.explain) drawExplain(); });
  $('log-audience').addEventListener('change', () => { if (state.last.log) drawLog(); });
  $('log-form').addEventListener('submit', async e => {
    e.preventDefault();
    const form = e.currentTarget;
    const file = $('log-file').files[0];
    if (!file) { showError($('log-result'), new Error(t('log-none'))); return; }
    busy(form, true);
    await readLog({ name: file.name, bytes: await file.arrayBuffer() });
    busy(form, false);
  });
  $('dns-form').addEventListener('submit', async e => {
    e.preventDefault();
    const form = e.currentTarget;
    busy(form, true);
    await simple('dns', '/api/dns', { domain: $('dns-domain').value.trim(), ip: $('dns-ip').value.trim() || null });
    busy(form, false);
  });
  $('advise-form').addEventListener('submit', async e => {
    e.preventDefault();
    const form = e.currentTarget;
    busy(form, true);
    const yesNo = id => $(id).value || null;
    await simple('advise', '/api/advise', {
      tls: $('advise-tls').value, can_login: yesNo('advise-login'), external: yesNo('advise-external'),
      static_ip: yesNo('advise-static-ip'), domain: $('advise-domain').value.trim() || null,
      ip: $('advise-ip').value.trim() || null,
    });
    busy(form, false);
  });
}

// ------------------------------------------------------------------ the guide

/// What the chosen playbook's checks will ask: a password, an outside address, old TLS.
async function loadPlaybook() {
  const id = $('guide-playbook').value;
  if (!id) return;
  const info = await (await api('/api/guide?lang=' + state.lang + '&playbook=' + encodeURIComponent(id))).json();
  $('guide-playbook-intro').textContent = info.intro;
  const show = (input, on) => {
    $(input).disabled = !on;
    for (const label of $(input).labels) label.hidden = !on;
    $(input).hidden = !on;
  };
  show('guide-password', info.sign_in);
  show('guide-outside', info.outside_recipient);
  $('guide-old-tls-row').hidden = !info.old_tls;
  $('guide-old-tls').disabled = !info.old_tls;
}

function setupGuide() {
  $('guide-playbook').addEventListener('change', () => loadPlaybook().catch(err => showError($('guide-findings'), err)));
  $('guide-audience').addEventListener('change', () => { if (state.last.guide) showReport('guide', state.last.guide); });
  $('guide-form').addEventListener('submit', async e => {
    e.preventDefault();
    const form = e.currentTarget;
    busy(form, true);
    $('guide-wizard').replaceChildren();
    const request = {
      playbook: $('guide-playbook').value,
      address: $('guide-address').value.trim(),
      // The password goes in this one request and nowhere else (not stored, not logged).
      password: $('guide-password').disabled ? null : $('guide-password').value || null,
      outside: $('guide-outside').disabled ? null : $('guide-outside').value.trim() || null,
      old_tls: !$('guide-old-tls').disabled && $('guide-old-tls').checked,
      connect_to: $('guide-connect-to').value.trim() || null,
      lang: state.lang,
    };
    try {
      const answer = await runStreamed('guide', '/api/guide', request, sections.guide);
      showReport('guide', answer);
      wizard(answer.playbook, 0, []);
    } catch (err) {
      showError($('guide-findings'), err);
    } finally {
      busy(form, false);
    }
  });
}

/// The playbook's manual steps, one at a time: what to do, then "did it help?".
function wizard(playbook, index, done) {
  const box = $('guide-wizard');
  if (index >= playbook.steps.length) {
    box.replaceChildren(el('div', { class: 'wizard', tabindex: '-1' },
      el('h3', { text: t('guide-end') }),
      el('p', { text: done.length ? t('guide-end-done', { n: done.length }) : t('guide-end-none') })));
    box.firstChild.focus();
    return;
  }
  const step = playbook.steps[index];
  const panel = el('div', { class: 'wizard', tabindex: '-1', 'data-step': step.id },
    index === 0 ? el('p', { class: 'hint', text: playbook.test }) : null,
    el('p', { class: 'hint', text: t('guide-step-of', { n: index + 1, total: playbook.steps.length }) }),
    el('h3', { text: step.title }),
    step.found ? el('p', { class: 'status bad', text: t('guide-step-found') }) : null,
    el('p', { text: step.what }),
    step.how.length ? el('ul', {}, step.how.map(h => el('li', {}, el('strong', { text: h.label + ': ' }), h.text))) : null,
    el('div', { class: 'buttons' },
      el('button', { type: 'button', text: t('guide-fixed'), onclick: () => {
        box.replaceChildren(el('div', { class: 'wizard', tabindex: '-1' },
          el('h3', { text: t('guide-works') }), el('p', { text: step.title })));
        box.firstChild.focus();
      } }),
      el('button', { type: 'button', class: 'secondary', text: t('guide-next'),
        onclick: () => wizard(playbook, index + 1, done.concat(step.id)) })));
  box.replaceChildren(panel);
  if (index > 0) panel.focus();
}

// ------------------------------------------------------------------ start

document.addEventListener('DOMContentLoaded', async () => {
  setupTabs();
  setupMailbox();
  setupTools();
  setupGuide();
  $('lang').addEventListener('change', () => setLanguage($('lang').value, true));
  try {
    await setLanguage(pickLanguage(), false);
    document.body.dataset.ready = 'true';
  } catch (err) {
    document.body.prepend(el('p', { class: 'error-box', role: 'alert', text: String(err.message) }));
  }
});
