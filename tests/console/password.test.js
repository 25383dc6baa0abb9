'use strict';
// The console password: `imago admin account set-password` (from standard input), sign-in with it, one message for
// every failure, and a new password ending the sessions opened with the old one; a disabled AccessKey ends the
// sessions opened with it.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const { startService, imagoCommand, adminCommand, until } = require('../sdk/harness');
const { launch, newPage, signIn, signInWithPassword, screenshot } = require('./browser');

describe('console password sign-in', () => {
  let service;
  let browser;
  let page;

  before(async () => {
    service = await startService();
    browser = await launch();
    page = await newPage(browser);
  });

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
  });

  const setPassword = (name, password) => {
    const [exe, pre] = imagoCommand();
    return execFileSync(exe, [...pre, 'admin', 'account', 'set-password', name, '--data', service.dataDir],
      { input: `${password}\n`, encoding: 'utf8', timeout: 120_000 });
  };

  it('an account without a password cannot sign in with one', async () => {
    const response = await signInWithPassword(page, service, 'alice', 'any-password-at-all');
    assert.equal(response.status(), 401);
    assert.match(await page.locator('#signin-error').innerText(), /account name or password is not valid/);
    await screenshot(page, 'signin-refused');
  });

  it('set-password refuses a short password and stores a good one', () => {
    assert.throws(() => setPassword('alice', 'short'), (e) => /12 to 128 characters/.test(e.stderr));
    assert.equal(setPassword('alice', 'correct horse battery').trim(), 'alice: PasswordSet');
  });

  it('the wrong password and an unknown account get the same refusal; the right one signs in', async () => {
    for (const [name, password] of [['alice', 'wrong horse battery'], ['nobody', 'correct horse battery']]) {
      const response = await signInWithPassword(page, service, name, password);
      assert.equal(response.status(), 401);
      assert.match(await page.locator('#signin-error').innerText(), /account name or password is not valid/);
    }
    await signInWithPassword(page, service, 'alice', 'correct horse battery');
    assert.match(page.url(), /\/console\/images$/);
    assert.equal(await page.locator('#account-id').innerText(), service.accounts.alice.AccountId);
  });

  it('a new password ends the sessions opened with the old one', async () => {
    setPassword('alice', 'a brand new passphrase');
    await page.goto(`${service.url}/console/images`);
    assert.match(page.url(), /\/console\/signin\?ReturnUrl=/);
    await signInWithPassword(page, service, 'alice', 'a brand new passphrase');
    assert.match(page.url(), /\/console\/images$/);
  });

  it('disabling the AccessKey a session was opened with ends that session', async () => {
    const bobPage = await newPage(browser);
    await signIn(bobPage, service, service.accounts.bob);
    assert.match(bobPage.url(), /\/console\/images$/);
    adminCommand(service, ['key', 'disable', service.accounts.bob.AccessKeyId]);
    // The service's credential cache keeps a key for up to a second; the session ends at the first request after.
    await until(async () => {
      await bobPage.goto(`${service.url}/console/images`);
      return /\/console\/signin\?ReturnUrl=/.test(bobPage.url());
    }, 'the session ended', { timeoutMs: 30_000, intervalMs: 250 });
    const again = await signIn(bobPage, service, service.accounts.bob);
    assert.equal(again.status(), 401);
  });
});
