// First paint of a search result on a large store, in Debian's chromium: a measurement,
// not a test (the target is under 200 ms on a 100,000-article store).
//
//   WHOSAID_BIN=target/release/whosaid WHOSAID_DB=/tmp/load.db \
//     node tests/e2e/firstpaint.mjs word1 word2 …
//
// Starts `whosaid serve` on a free port over the database, then for each query word opens
// `/?q=WORD` twice: in a fresh tab of a fresh browser profile ("cold": the page, its
// assets and the query all fetched) and again in the same tab with assets cached ("warm").
// The figure is the page's own clock (performance.now(), from navigation start) when the
// first result is in the DOM. Prints p50/p90/max for both and each word's numbers.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BIN = process.env.WHOSAID_BIN;
const DB = process.env.WHOSAID_DB;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const words = process.argv.slice(2);
if (!BIN || !DB || words.length === 0) {
  console.error('usage: WHOSAID_BIN=… WHOSAID_DB=… node firstpaint.mjs WORD…');
  process.exit(2);
}

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['serve', '--db', DB, '--addr', '127.0.0.1:0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + log)), 60000);
    child.stderr.on('data', (d) => {
      log += d.toString();
      const m = log.match(/on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve({ child, url: m[1] }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error('server exited ' + code + ': ' + log)); });
  });
}

const firstHit = (page) => page.waitForFunction(
  () => (document.querySelector('#results .hit')
    || /No statements found/.test((document.getElementById('status') || {}).textContent || ''))
    && performance.now(), null, { timeout: 30000 }).then((h) => h.jsonValue());

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

const { child, url } = await startServer();
const cold = [];
const warm = [];
try {
  for (const w of words) {
    const dir = mkdtempSync(join(tmpdir(), 'whosaid-paint-'));
    const ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await ctx.newPage();
    await page.goto(url + '/?q=' + encodeURIComponent(w));
    const c = await firstHit(page);
    await page.goto(url + '/?q=' + encodeURIComponent(w) + '&_=' + Date.now());
    const h = await firstHit(page);
    const hits = await page.locator('#results .hit').count();
    console.log(`${w}: cold ${Math.round(c)} ms, warm ${Math.round(h)} ms, ${hits} results on the first page`);
    cold.push(c);
    warm.push(h);
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  child.kill();
}
const line = (name, xs) => console.log(
  `${name}: p50 ${Math.round(pct(xs, 0.5))} ms, p90 ${Math.round(pct(xs, 0.9))} ms, max ${Math.round(Math.max(...xs))} ms (n=${xs.length})`);
line('cold (fresh profile)', cold);
line('warm (assets cached)', warm);
