// whosaid web UI: one script for every page, picked by <body data-page>. It calls the
// JSON API under /api/v1 and builds the DOM with createElement/textContent only — never
// innerHTML with data — so names, quotes and article text can never run as markup.
'use strict';

const API = '/api/v1';

// ---- small DOM helpers -------------------------------------------------------------

/** Element with attributes (strings set via setAttribute) and children (strings become text). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
const $ = (id) => document.getElementById(id);

function setStatus(text, isError) {
  const s = $('status');
  if (!s) return;
  s.textContent = text;
  s.classList.toggle('error', !!isError);
}

/** Only http(s) links from data become hrefs (no javascript: or data: URLs). */
function safeUrl(u) {
  try {
    const url = new URL(u, location.origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (_) { return null; }
}

const speakerHref = (id) => '/speakers/' + encodeURIComponent(id);
const articleHref = (id, sid) => '/articles/' + encodeURIComponent(id) + (sid ? '#s' + sid : '');
const KIND_LABEL = { direct: 'direct quote', indirect: 'reported speech', mixed: 'mixed' };

async function api(path, options) {
  let res;
  try {
    res = await fetch(API + path, Object.assign({ headers: { Accept: 'application/json' } }, options));
  } catch (e) {
    throw new Error('cannot reach the server');
  }
  let body = null;
  try { body = await res.json(); } catch (_) { /* non-JSON error body */ }
  if (!res.ok) {
    const err = new Error((body && body.error) || ('request failed (' + res.status + ')'));
    err.status = res.status;
    err.body = body;
    throw err;
  }
  return body;
}

// ---- statement hits (search results, a speaker's latest) ----------------------------

function hitItem(h) {
  const who = h.speaker_id != null
    ? el('a', { class: 'who', href: speakerHref(h.speaker_id) }, h.speaker || 'unknown')
    : el('span', { class: 'who' }, h.speaker || 'unknown speaker');
  const meta = el('p', { class: 'meta' }, who);
  if (h.speaker_role) meta.append(', ' + h.speaker_role);
  if (h.date) meta.append(' · ', el('time', { datetime: h.date }, h.date));
  if (h.outlet) meta.append(' · ' + h.outlet);
  if (h.outlets_with_quote > 1) {
    meta.append(el('span', { class: 'badge' }, 'carried by ' + h.outlets_with_quote + ' outlets'));
  }
  meta.append(el('span', { class: 'badge' }, KIND_LABEL[h.kind] || h.kind));
  const link = el('a', { href: articleHref(h.article_id, h.statement_id) }, h.title || 'the article');
  return el('li', { class: 'hit ' + h.kind },
    el('blockquote', {}, h.text),
    meta,
    el('p', { class: 'meta' }, 'In ', link));
}

// ---- search page ------------------------------------------------------------------

const SEARCH_FIELDS = ['q', 'speaker', 'since', 'until', 'kind', 'outlet'];
// Results per page, as the server renders the first page (`PAGE_SIZE` in ui.rs).
const PAGE_SIZE = 10;

function searchPage() {
  const form = $('search-form');
  const list = $('results');
  const more = $('more');
  let cursor = null;
  let shown = 0;

  const params = new URLSearchParams(location.search);
  for (const f of SEARCH_FIELDS) if (params.has(f)) $(f).value = params.get(f);

  async function run(append) {
    const q = new URLSearchParams();
    for (const f of SEARCH_FIELDS) { const v = $(f).value.trim(); if (v) q.set(f, v); }
    q.set('limit', String(PAGE_SIZE));
    if (append && cursor) q.set('cursor', cursor);
    if (!append) { clear(list); shown = 0; }
    setStatus('Searching…');
    more.hidden = true;
    try {
      const page = await api('/statements?' + q.toString());
      for (const h of page.hits) list.append(hitItem(h));
      shown += page.hits.length;
      cursor = page.next_cursor;
      more.hidden = !cursor;
      setStatus(shown === 0 ? 'No statements found.' :
        (cursor ? 'Showing the ' + shown + ' newest statements.' : shown + (shown === 1 ? ' statement.' : ' statements.')));
    } catch (e) {
      setStatus(e.message, true);
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const f of SEARCH_FIELDS) { const v = $(f).value.trim(); if (v) q.set(f, v); }
    history.pushState(null, '', q.toString() ? '/?' + q.toString() : '/');
    run(false);
  });
  more.addEventListener('click', () => run(true));
  window.addEventListener('popstate', () => {
    const p = new URLSearchParams(location.search);
    for (const f of SEARCH_FIELDS) $(f).value = p.get(f) || '';
    run(false);
  });
  // The server rendered the first page of results (and its status line) into the page:
  // take it over as it is; without it (the search failed there) ask the API.
  if (list.hasAttribute('data-first-page')) {
    shown = list.querySelectorAll('.hit').length;
    cursor = list.getAttribute('data-next-cursor');
    list.removeAttribute('data-first-page');
    list.removeAttribute('data-next-cursor');
    more.hidden = !cursor;
  } else {
    run(false);
  }
}

// ---- speakers list ------------------------------------------------------------------

async function speakersPage() {
  const params = new URLSearchParams(location.search);
  if (params.get('org')) $('org').value = params.get('org');
  const q = new URLSearchParams({ top: '200' });
  if (params.get('org')) q.set('org', params.get('org'));
  const body = $('speakers-table').tBodies[0];
  setStatus('Loading…');
  try {
    const { speakers } = await api('/speakers?' + q.toString());
    for (const s of speakers) {
      body.append(el('tr', {},
        el('td', {}, el('a', { href: speakerHref(s.speaker_id) }, s.name)),
        el('td', {}, s.role || ''),
        el('td', {}, String(s.statements)),
        el('td', {}, s.first_seen || ''),
        el('td', {}, s.last_seen || '')));
    }
    setStatus(speakers.length ? speakers.length + ' speakers.' : 'No speakers yet.');
  } catch (e) { setStatus(e.message, true); }
}

// ---- speaker page -----------------------------------------------------------------

function pathId(prefix) {
  const rest = location.pathname.slice(prefix.length);
  try { return decodeURIComponent(rest); } catch (_) { return rest; }
}

/** Monday of the week holding ISO day `d` (UTC arithmetic: no time-zone drift). */
function addDays(iso, n) {
  const t = Date.parse(iso + 'T00:00:00Z') + n * 86400000;
  return new Date(t).toISOString().slice(0, 10);
}

function timelineChart(weekly, name) {
  const box = $('timeline');
  clear(box);
  if (!weekly.length) { box.append(el('p', {}, 'No dated statements.')); return; }
  // Fill the weeks with no statements so the x axis is time, not just the busy weeks.
  const counts = new Map(weekly.map((w) => [w.week, w.count]));
  const weeks = [];
  for (let w = weekly[0].week; w <= weekly[weekly.length - 1].week; w = addDays(w, 7)) weeks.push(w);
  const max = Math.max(...weekly.map((w) => w.count));
  const W = 720, H = 180, left = 36, bottom = 24, top = 10;
  const plotW = W - left - 8, plotH = H - bottom - top;
  const bw = plotW / weeks.length;
  const title = svg('title', { id: 'timeline-title' }, 'Statements per week by ' + name);
  const desc = svg('desc', { id: 'timeline-desc' },
    weekly.length + ' weeks with statements between ' + weeks[0] + ' and ' + weeks[weeks.length - 1] +
    '; busiest week had ' + max + '.');
  const chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-labelledby': 'timeline-title timeline-desc' }, title, desc);
  chart.append(svg('line', { class: 'axis', x1: left, y1: top + plotH, x2: W - 8, y2: top + plotH }));
  chart.append(svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: top + plotH }));
  chart.append(svg('text', { x: left - 4, y: top + 8, 'text-anchor': 'end' }, String(max)));
  chart.append(svg('text', { x: left - 4, y: top + plotH, 'text-anchor': 'end' }, '0'));
  weeks.forEach((w, i) => {
    const c = counts.get(w) || 0;
    if (!c) return;
    const h = Math.max(1, (c / max) * plotH);
    const bar = svg('rect', { class: 'bar', x: left + i * bw + bw * 0.1, y: top + plotH - h, width: Math.max(0.8, bw * 0.8), height: h });
    bar.append(svg('title', {}, 'Week of ' + w + ': ' + c + (c === 1 ? ' statement' : ' statements')));
    chart.append(bar);
  });
  // Label the first week and the first week of each year (or of each quarter in short spans).
  const span = weeks.length;
  let lastLabel = -Infinity;
  weeks.forEach((w, i) => {
    const month = w.slice(5, 7);
    const newPeriod = i === 0 || (span > 60 ? w.slice(0, 4) !== weeks[i - 1].slice(0, 4)
      : month !== weeks[i - 1].slice(5, 7));
    if (newPeriod && (i - lastLabel) * bw > 60) {
      chart.append(svg('text', { x: left + i * bw, y: H - 6 }, span > 60 ? w.slice(0, 4) : w.slice(0, 7)));
      lastLabel = i;
    }
  });
  box.append(chart);
}

async function speakerPage() {
  const id = pathId('/speakers/');
  try {
    const s = await api('/speakers/' + encodeURIComponent(id) + '?statements=20');
    const sum = s.summary;
    document.title = sum.name + ' · whosaid';
    $('speaker-name').textContent = sum.name;
    const meta = [sum.role, sum.statements + (sum.statements === 1 ? ' statement' : ' statements')];
    if (sum.first_seen) meta.push('from ' + sum.first_seen + (sum.last_seen ? ' to ' + sum.last_seen : ''));
    $('speaker-meta').textContent = meta.filter(Boolean).join(' · ');
    const roles = $('roles');
    for (const r of s.roles) {
      const when = [r.first_seen, r.last_seen].filter(Boolean);
      roles.append(el('li', {}, r.role + (when.length ? ' (' + when.join(' – ') + ')' : '') + ', ' + r.count + '×'));
    }
    if (!s.roles.length) roles.append(el('li', {}, 'No role recorded.'));
    const aliases = $('aliases');
    for (const a of s.aliases) aliases.append(el('li', {}, a));
    if (!s.aliases.length) aliases.append(el('li', {}, 'none'));
    const terms = $('terms');
    for (const t of s.top_terms) {
      const q = new URLSearchParams({ q: t.term, speaker: String(sum.speaker_id) });
      terms.append(el('li', {}, el('a', { href: '/?' + q.toString() }, t.term), ' ', el('span', { class: 'visually-hidden' }, '('), String(t.count), el('span', { class: 'visually-hidden' }, ' statements)')));
    }
    if (!s.top_terms.length) terms.append(el('li', {}, 'not enough statements'));
    timelineChart(s.weekly, sum.name);
    if (s.undated) $('timeline').append(el('p', { class: 'meta' }, s.undated + ' undated statements are not shown.'));
    const latest = $('latest');
    for (const h of s.statements) latest.append(hitItem(h));
    $('all-link').setAttribute('href', '/?' + new URLSearchParams({ speaker: String(sum.speaker_id) }).toString());
    $('speaker').hidden = false;
    setStatus('');
  } catch (e) {
    if (e.status === 409 && e.body && e.body.candidates) {
      setStatus('Several speakers answer to this name:');
      const list = el('ul', { class: 'plain' });
      for (const c of e.body.candidates) {
        list.append(el('li', {}, el('a', { href: speakerHref(c.speaker_id) }, c.name), c.role ? ', ' + c.role : ''));
      }
      $('status').after(list);
    } else {
      setStatus(e.message, true);
    }
  }
}

// ---- highlighted text (article page, paste page) ------------------------------------

/**
 * Renders `text` into `box` with each statement marked (class by kind), its cue words and
 * its speaker mention marked, and a label after each statement, like displaCy.
 * Offsets are Unicode code points, so the text is split with Array.from.
 * items: [{id, kind, start, end, cue: {start,end}|null, who: {start,end}|null, speaker, speakerHref}]
 */
function renderMarked(box, text, items) {
  clear(box);
  const chars = Array.from(text);
  const n = chars.length;
  const inRange = (s) => s && s.start >= 0 && s.end <= n && s.start < s.end;
  const stmts = items.filter(inRange);
  const cuts = new Set([0, n]);
  for (const it of stmts) {
    cuts.add(it.start); cuts.add(it.end);
    if (inRange(it.cue)) { cuts.add(it.cue.start); cuts.add(it.cue.end); }
    if (inRange(it.who)) { cuts.add(it.who.start); cuts.add(it.who.end); }
  }
  const points = [...cuts].sort((a, b) => a - b);
  const anchored = new Set();
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i], b = points[i + 1];
    let node = document.createTextNode(chars.slice(a, b).join(''));
    const within = (s) => inRange(s) && s.start <= a && b <= s.end;
    const cueOf = stmts.find((it) => within(it.cue));
    if (cueOf) node = el('span', { class: 'cue', title: 'cue' }, node);
    const whoOf = stmts.find((it) => within(it.who));
    if (whoOf) {
      node = whoOf.speakerHref
        ? el('a', { class: 'speaker-mark', href: whoOf.speakerHref }, node)
        : el('span', { class: 'speaker-mark' }, node);
    }
    const st = stmts.find((it) => it.start <= a && b <= it.end);
    if (st) {
      const attrs = { class: 'stmt ' + st.kind };
      if (!anchored.has(st.id)) { attrs.id = 's' + st.id; anchored.add(st.id); }
      node = el('mark', attrs, node);
    }
    box.append(node);
    // The label goes after the statement's last piece.
    for (const it of stmts) {
      if (it.end === b) {
        const who = it.speaker || 'unknown';
        const label = it.speakerHref
          ? el('a', { class: 'label', href: it.speakerHref }, who + ' · ' + it.kind)
          : el('span', { class: 'label' }, who + ' · ' + it.kind);
        box.append(label);
      }
    }
  }
}

function statementRows(tbody, items) {
  clear(tbody);
  for (const it of items) {
    const who = it.speakerHref ? el('a', { href: it.speakerHref }, it.speaker || 'unknown') : (it.speaker || 'unknown');
    tbody.append(el('tr', {},
      el('td', {}, who, it.role ? ', ' + it.role : ''),
      el('td', {}, KIND_LABEL[it.kind] || it.kind),
      el('td', {}, it.cueText || ''),
      el('td', {}, el('a', { href: '#s' + it.id }, it.text))));
  }
}

async function articlePage() {
  const id = pathId('/articles/');
  try {
    const a = await api('/articles/' + encodeURIComponent(id));
    document.title = (a.title || a.ext_id) + ' · whosaid';
    $('article-title').textContent = a.title || a.ext_id;
    const meta = $('article-meta');
    const parts = [a.outlet, a.published, a.credit ? 'via ' + a.credit : null].filter(Boolean);
    meta.append(parts.join(' · '));
    const href = a.url && safeUrl(a.url);
    if (href) meta.append(parts.length ? ' · ' : '', el('a', { href, rel: 'noopener noreferrer nofollow' }, 'original'));
    const items = a.statements.map((s) => ({
      id: s.statement_id, kind: s.kind, start: s.start, end: s.end, text: s.text,
      cue: s.cue, cueText: s.cue && s.cue.text, who: s.speaker_span, speaker: s.speaker, role: s.speaker_role,
      speakerHref: s.speaker_id != null ? speakerHref(s.speaker_id) : null,
    }));
    renderMarked($('article-text'), a.text, items);
    statementRows($('statements-table').tBodies[0], items);
    const ents = $('entities');
    for (const e of a.entities) {
      ents.append(el('li', {}, el('strong', {}, e.name), ' — ' + e.kind + (e.roles.length ? ', ' + e.roles.join('; ') : '') +
        ' (' + e.mentions.length + (e.mentions.length === 1 ? ' mention)' : ' mentions)')));
    }
    if (!a.entities.length) ents.append(el('li', {}, 'none found'));
    $('article').hidden = false;
    setStatus(a.statements.length + (a.statements.length === 1 ? ' statement.' : ' statements.'));
    if (location.hash) {
      const target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  } catch (e) { setStatus(e.message, true); }
}

// ---- paste an article -----------------------------------------------------------------

function extractPage() {
  const form = $('extract-form');
  const text = $('text');
  const published = $('published');
  let timer = null;
  let seq = 0;

  async function run() {
    const body = { text: text.value };
    if (published.value) body.published = published.value;
    const mine = ++seq;
    if (!text.value.trim()) {
      clear($('extract-text')); clear($('statements-table').tBodies[0]); setStatus('');
      return;
    }
    setStatus('Extracting…');
    try {
      const x = await api('/extract', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
      if (mine !== seq) return; // a newer request is on its way
      const items = x.statements.map((s, i) => ({
        id: 'x' + i, kind: s.kind, start: s.start, end: s.end, text: s.text,
        cue: s.cue, cueText: s.cue && s.cue.text,
        who: s.speaker ? { start: s.speaker.start, end: s.speaker.end } : null,
        speaker: s.speaker && s.speaker.name, role: s.speaker && s.speaker.role, speakerHref: null,
      }));
      renderMarked($('extract-text'), body.text, items);
      statementRows($('statements-table').tBodies[0], items);
      setStatus(items.length + (items.length === 1 ? ' statement found.' : ' statements found.'));
    } catch (e) {
      if (mine === seq) setStatus(e.message, true);
    }
  }

  text.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 300); });
  published.addEventListener('change', run);
  form.addEventListener('submit', (ev) => { ev.preventDefault(); clearTimeout(timer); run(); });
}

// ---- start --------------------------------------------------------------------------

const PAGES = { search: searchPage, speakers: speakersPage, speaker: speakerPage, article: articlePage, extract: extractPage };
document.addEventListener('DOMContentLoaded', () => {
  const start = PAGES[document.body.dataset.page];
  if (start) start();
});
