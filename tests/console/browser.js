'use strict';
// Debian's Chromium driven by playwright-core, plus the console steps every test needs (sign in, screenshots).
// The service itself (a real `imago serve`, accounts, API clients) comes from tests/sdk/harness.js.
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.IMAGO_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, 'artifacts');

/** Headless Chromium with the sandbox and every background network feature off (no calls leave loopback). */
function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--disable-domain-reliability',
      '--no-first-run',
      '--metrics-recording-only',
    ],
  });
}

/** A fresh browser context (its own cookies) at the desktop width the console is designed for. */
async function newPage(browser, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** Signs in through the form with an account's AccessKey pair; returns the response of the form post. */
async function signIn(page, service, account, secret = account.AccessKeySecret) {
  await page.goto(`${service.url}/console/signin`);
  await page.getByLabel('AccessKey ID').fill(account.AccessKeyId);
  await page.getByLabel('AccessKey secret').fill(secret);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/console/signin') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}

/** Signs in through the password form; returns the response of the form post. */
async function signInWithPassword(page, service, accountName, password) {
  await page.goto(`${service.url}/console/signin`);
  await page.getByLabel('Account name').fill(accountName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/console/signin') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in with password' }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}

/** Saves a full-page PNG under tests/console/artifacts/ (git-ignored; docs/console/ holds the published ones). */
async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits until the page's status (#image-status) reads `status`, as the page's poller updates or reloads it. */
function waitForStatus(page, status) {
  return page.waitForFunction((wanted) => document.getElementById('image-status')?.textContent === wanted, status,
    { timeout: 60_000, polling: 200 });
}

/**
 * What a console suite usually starts with: a real service (tests/sdk/harness.js), Chromium, a page signed in as
 * alice and her API client posting to `region`. `api(action, params)` calls the API as alice; `stop()` ends both.
 * `serviceOptions` go to startService (e.g. a `beforeServe` that publishes a Marketplace product).
 */
async function startSignedIn(region, serviceOptions = {}) {
  const { startService, popClient } = require('../sdk/harness');
  const service = await startService(serviceOptions);
  let browser;
  try {
    browser = await launch();
    const alice = popClient(service, service.accounts.alice);
    const page = await newPage(browser);
    await signIn(page, service, service.accounts.alice);
    const api = (action, params) => alice.request(action, { RegionId: region, ...params }, { method: 'POST' });
    const stop = async () => { await browser.close(); await service.stop(); };
    return { service, browser, page, api, stop };
  } catch (e) {
    if (browser) await browser.close();
    await service.stop();
    throw e;
  }
}

module.exports = { launch, newPage, signIn, signInWithPassword, screenshot, waitForStatus, startSignedIn };
