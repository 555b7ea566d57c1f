// The browser test of gx-attest's pages: `gx-attest serve --demo` with the example upload,
// opened in the system Chromium (playwright-core, no browser download), every page visited,
// its links followed, the verify form submitted with a valid and a tampered credential,
// axe-core run on each page (serious or critical violations fail), a screenshot of each page
// saved under target/browser/.
//
// Run from anywhere: `node tests/browser/run.mjs` after `npm ci` in tests/browser and
// `cargo build --bin gx-attest`. Environment: GX_ATTEST (binary, default
// $CARGO_TARGET_DIR/debug/gx-attest or target/debug/gx-attest),
// CHROMIUM (default /usr/bin/chromium), PORT (default 18091).

import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
// Cargo's target directory: CARGO_TARGET_DIR when set (as cargo itself reads it), else ./target.
const target = process.env.CARGO_TARGET_DIR
  ? path.resolve(repo, process.env.CARGO_TARGET_DIR)
  : path.join(repo, 'target');
const bin = process.env.GX_ATTEST ?? path.join(target, 'debug/gx-attest');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const port = Number(process.env.PORT ?? 18091);
const base = `http://127.0.0.1:${port}/`;
const shots = path.join(target, 'browser');
fs.mkdirSync(shots, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gxa-browser-'));
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let passed = 0;
const failures = [];
function ok(condition, what) {
  if (condition) {
    passed += 1;
  } else {
    failures.push(what);
    console.log(`FAIL: ${what}`);
  }
}

// ---- the service ----
const server = spawn(bin, ['serve', '--demo', '--listen', `127.0.0.1:${port}`, '--data', path.join(work, 'data')], {
  cwd: repo,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverLog = '';
server.stdout.on('data', (d) => { serverLog += d; });
server.stderr.on('data', (d) => { serverLog += d; });
const stopServer = () => { if (server.exitCode === null) server.kill('SIGTERM'); };
process.on('exit', stopServer);

async function ready() {
  for (let i = 0; i < 180; i += 1) {
    try {
      const res = await fetch(`${base}readyz`);
      if (res.ok) return;
    } catch { /* not up yet */ }
    if (server.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`gx-attest serve --demo did not get ready:\n${serverLog}`);
}

// A credential the service can verify without fetching anything: signed with a fresh key as
// did:jwk (resolved offline), valid from yesterday for a year. The tampered copy changes one
// claim after signing.
function signedCredentials() {
  const keys = path.join(work, 'keys');
  execFileSync(bin, ['keys', 'generate', '--alg', 'EdDSA', '--did', 'did:web:browser.test', '--out', keys]);
  const keyFile = fs.readdirSync(keys).find((f) => f.endsWith('.key.pem'));
  const credential = JSON.parse(fs.readFileSync(path.join(repo, 'examples/credentials/tagus-legal-participant.json'), 'utf8'));
  const day = 24 * 3600 * 1000;
  credential.issuanceDate = new Date(Date.now() - day).toISOString();
  credential.expirationDate = new Date(Date.now() + 365 * day).toISOString();
  const sign = (doc) => {
    const file = path.join(work, 'unsigned.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    return JSON.parse(execFileSync(bin, ['sign', '--key', path.join(keys, keyFile), '--suite', 'jws2020', file]).toString());
  };
  // The issuer must be the signing key's DID: sign once to learn it.
  credential.issuer = sign(credential).proof.verificationMethod.split('#')[0];
  const valid = sign(credential);
  const tampered = structuredClone(valid);
  const subject = tampered.credentialSubject;
  const claim = Object.keys(subject).find((k) => typeof subject[k] === 'string' && !['id', 'type', '@id', '@type'].includes(k));
  subject[claim] = `${subject[claim]} (altered)`;
  const validFile = path.join(work, 'valid.json');
  fs.writeFileSync(validFile, JSON.stringify(valid, null, 2));
  return { valid, tampered, validFile };
}

// ---- the pages ----
async function axeCheck(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations) {
    console.log(`  axe ${name}: ${v.impact} ${v.id} (${v.nodes.length}): ${v.help}`);
  }
  ok(serious.length === 0, `${name}: no serious accessibility violations (${serious.map((v) => v.id).join(', ')})`);
}

async function text(page) {
  return page.locator('main').innerText();
}

const visited = new Set();
async function followLinks(page, name) {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.href));
  for (const href of hrefs) {
    const local = href.startsWith(base) || href.startsWith(`http://127.0.0.1:${port + 1}/gx/`);
    if (!local || visited.has(href) || href.includes('/report_full/')) continue;
    visited.add(href);
    const res = await page.request.get(href, { headers: { Accept: 'text/html,*/*;q=0.8' } });
    ok(res.status() < 400, `${name}: link ${href} answers ${res.status()}`);
  }
}

async function main() {
  await ready();
  const token = (serverLog.match(/gxa_[A-Za-z0-9_-]{20,}/) ?? [])[0];
  ok(Boolean(token), 'serve --demo printed an upload token');
  const upload = await fetch(`${base}reports`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`example-cloud:${token}`).toString('base64')}`,
      'Content-Type': 'application/x-signed-yaml',
    },
    body: fs.readFileSync(path.join(repo, 'examples/scs/upload-body.txt')),
  });
  ok(upload.status === 200 || upload.status === 201, `example upload answers ${upload.status}`);
  const { valid, tampered, validFile } = signedCredentials();

  const context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    // axe-core is injected as a script; the pages' CSP allows none.
    bypassCSP: true,
  });
  const page = context.pages()[0] ?? await context.newPage();
  const consoleErrors = [];
  // Failed loads are checked by URL below (a browser asks for /favicon.ico on its own).
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
  });
  const failedLoads = [];
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) failedLoads.push(`${r.status()} ${r.url()}`);
  });

  // Overview, and a small copy for the README.
  await page.goto(base);
  let body = await text(page);
  ok(body.includes('SCS-compatible IaaS') && body.includes('example-cloud'), 'overview shows the subjects and scopes');
  ok(body.includes('example-k8s-1.35'), 'overview shows the Kubernetes subject');
  await page.setViewportSize({ width: 1100, height: 720 });
  await page.screenshot({ path: path.join(shots, 'overview-small.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  await axeCheck(page, 'overview');
  await followLinks(page, 'overview');

  // Detail with history, then a report from it.
  await page.click('a[href="page/detail/example-cloud/scs-compatible-iaas"]');
  body = await text(page);
  ok(page.url().endsWith('/page/detail/example-cloud/scs-compatible-iaas'), 'detail link followed');
  ok(body.includes('Certification history') && body.includes('scs-0102-prop-provided_until'), 'detail shows testcases and history');
  ok(/SHA256:/.test(body), 'detail shows the signer fingerprint');
  await axeCheck(page, 'detail');
  await page.locator('table', { hasText: 'Certification history' }).screenshot({ path: path.join(shots, 'detail-history.png') });
  await followLinks(page, 'detail');
  await page.locator('a[href*="page/report/"]').first().click();
  body = await text(page);
  ok(body.includes('scs-0116-permissions') && body.includes('Redacted'), 'report page is redacted');
  await axeCheck(page, 'report');

  // The monitor's table and a scope.
  await page.click('nav >> text=Compliance table');
  body = await text(page);
  ok(body.includes('✅ v1') && body.includes('🛑 fail'), 'compliance table shows the strict verdicts');
  await axeCheck(page, 'table');
  await page.locator('thead a[href*="page/scope/"]').first().click();
  ok((await text(page)).includes('Modules × versions'), 'scope page');
  await axeCheck(page, 'scope');

  // Credentials: filter, page, open one.
  await page.click('nav >> text=Credentials');
  ok((await text(page)).includes('Credentials'), 'credentials browser');
  await axeCheck(page, 'credentials');
  await page.selectOption('select[name=status]', 'current');
  await page.fill('input[name=limit]', '2');
  await page.click('form.filters button');
  ok(page.url().includes('status=current') && page.url().includes('limit=2'), 'filters submitted as a GET form');
  const next = page.locator('a[rel=next]');
  if (await next.count()) {
    await next.click();
    ok(page.url().includes('cursor='), 'next page');
  }
  await page.locator('tbody a').first().click();
  body = await text(page);
  ok(body.includes('Live verification') && body.includes('current'), 'credential page shows status and verification');
  ok(body.includes('verification_method'), 'credential page lists the checks');
  await axeCheck(page, 'credential');
  await followLinks(page, 'credential');

  // Verify: paste a valid credential, paste a tampered one, upload a file.
  await page.click('nav >> text=Verify');
  await axeCheck(page, 'verify-form');
  await page.fill('#credential', JSON.stringify(valid));
  await page.click('form button[type=submit]');
  let verdict = await page.locator('#result strong.badge').first().innerText();
  ok(verdict === 'valid', `valid credential: verdict ${verdict}\n${await text(page)}`);
  await axeCheck(page, 'verify-valid');
  await page.fill('#credential', JSON.stringify(tampered));
  await page.click('form button[type=submit]');
  verdict = await page.locator('#result strong.badge').first().innerText();
  ok(verdict === 'invalid', `tampered credential: verdict ${verdict}`);
  const proofRow = await page.locator('#result tr', { hasText: 'proof' }).first().innerText();
  ok(/fail/.test(proofRow), `tampered credential: the proof check fails (${proofRow})`);
  await axeCheck(page, 'verify-tampered');
  await page.fill('#credential', '');
  await page.setInputFiles('#file', validFile);
  await page.click('form button[type=submit]');
  verdict = await page.locator('#result strong.badge').first().innerText();
  ok(verdict === 'valid', `uploaded file: verdict ${verdict}`);

  // Partners.
  await page.click('nav >> text=Partners');
  ok((await text(page)).includes('Partners'), 'partners page');
  await axeCheck(page, 'partners');

  // Under a path prefix, as behind a reverse proxy that maps /gx/ to the service's root: every
  // link stays under the prefix.
  const proxy = http.createServer((req, res) => {
    if (!req.url.startsWith('/gx/')) {
      res.writeHead(404);
      res.end('outside the prefix');
      if (req.url !== '/favicon.ico') failedLoads.push(`outside the prefix: ${req.url}`);
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port, path: req.url.slice(3), method: req.method, headers: req.headers },
      (up) => { res.writeHead(up.statusCode, up.headers); up.pipe(res); },
    );
    req.pipe(upstream);
  });
  await new Promise((resolve) => proxy.listen(port + 1, '127.0.0.1', resolve));
  const prefixed = `http://127.0.0.1:${port + 1}/gx/`;
  await page.goto(prefixed);
  await page.click('a[href="page/detail/example-cloud/scs-compatible-iaas"]');
  ok(page.url() === `${prefixed}page/detail/example-cloud/scs-compatible-iaas`, `prefix: detail at ${page.url()}`);
  await page.click('nav >> text=Credentials');
  ok(page.url() === `${prefixed}credentials`, `prefix: credentials at ${page.url()}`);
  await page.locator('tbody a').first().click();
  ok(page.url().startsWith(`${prefixed}credentials/`), `prefix: credential at ${page.url()}`);
  await page.click('nav >> text=Verify');
  await page.fill('#credential', JSON.stringify(valid));
  await page.click('form button[type=submit]');
  ok(page.url() === `${prefixed}verify`, `prefix: verify form posted to ${page.url()}`);
  verdict = await page.locator('#result strong.badge').first().innerText();
  ok(verdict === 'valid', `prefix: verdict ${verdict}`);
  await followLinks(page, 'prefix');
  proxy.close();

  ok(consoleErrors.length === 0, `no console errors (${consoleErrors.join('; ')})`);
  ok(failedLoads.length === 0, `no failed loads (${failedLoads.join('; ')})`);
  await context.close();
}

try {
  await main();
} catch (err) {
  failures.push(String(err.stack ?? err));
  console.log(`FAIL: ${err.stack ?? err}`);
} finally {
  stopServer();
}
console.log(`screenshots: ${shots}`);
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
