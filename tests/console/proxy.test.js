'use strict';
// Behind a TLS-terminating proxy: with --forwarded-headers the service believes X-Forwarded-Proto from the listed
// proxies (here loopback, where the test's browser is), so the session cookie is Secure when the proxy says https;
// without the option the same header changes nothing.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startService } = require('../sdk/harness');
const { launch } = require('./browser');

describe('console cookies behind a TLS-terminating proxy', () => {
  let proxied;
  let direct;
  let browser;

  before(async () => {
    proxied = await startService({ serveArgs: ['--forwarded-headers', 'loopback'] });
    direct = await startService();
    browser = await launch();
  });

  after(async () => {
    if (browser) await browser.close();
    if (proxied) await proxied.stop();
    if (direct) await direct.stop();
  });

  /** Signs in with the proxy's header (or none) and returns the session cookie as the service set it. */
  const sessionCookie = async (service, forwardedProto) => {
    const context = await browser.newContext({ extraHTTPHeaders: forwardedProto ? { 'X-Forwarded-Proto': forwardedProto } : {} });
    try {
      const page = await context.newPage();
      await page.goto(`${service.url}/console/signin`);
      await page.getByLabel('AccessKey ID').fill(service.accounts.alice.AccessKeyId);
      await page.getByLabel('AccessKey secret').fill(service.accounts.alice.AccessKeySecret);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/console/signin') && r.request().method() === 'POST'),
        page.getByRole('button', { name: 'Sign in', exact: true }).click(),
      ]);
      assert.equal(response.status(), 302);
      const cookies = (await response.headerValues('set-cookie')).filter((c) => c.startsWith('imago-console='));
      assert.equal(cookies.length, 1, JSON.stringify(await response.headerValues('set-cookie')));
      return cookies[0];
    } finally {
      await context.close();
    }
  };

  it('marks the session cookie Secure when the trusted proxy says https', async () => {
    const cookie = await sessionCookie(proxied, 'https');
    assert.match(cookie, /;\s*secure/i);
    assert.match(cookie, /;\s*httponly/i);
  });

  it('does not mark it Secure for a plain-HTTP request through the same service', async () => {
    assert.doesNotMatch(await sessionCookie(proxied, null), /;\s*secure/i);
  });

  it('ignores X-Forwarded-Proto without --forwarded-headers', async () => {
    assert.doesNotMatch(await sessionCookie(direct, 'https'), /;\s*secure/i);
  });
});
