'use strict';
// The Billing page on the test clock: an instance runs two hours, and the page's lines and total are what
// QueryInstanceBill reports for the account; another account's page shows nothing of it.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const RPCClient = require('../sdk/node_modules/@alicloud/pop-core').RPCClient;
const { startService, popClient, adminCommand, imagoCommand } = require('../sdk/harness');
const { launch, newPage, signIn, screenshot } = require('./browser');

describe('billing page', () => {
  let service;
  let browser;
  let dir;
  let clock;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imago-console-billing-'));
    clock = path.join(dir, 'clock');
    const [exe, pre] = imagoCommand();
    execFileSync(exe, [...pre, 'admin', 'clock', 'set', '2026-03-01T10:00:00Z', '--clock', clock], { encoding: 'utf8', timeout: 60_000 });
    service = await startService({ serveArgs: ['--clock', clock] });
    browser = await launch();
  });

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the month\'s charges per resource and item, as QueryInstanceBill reports them', async () => {
    const alice = popClient(service, service.accounts.alice);
    const publics = await alice.request('DescribeImages', { RegionId: 'cn-hangzhou', ImageOwnerAlias: 'system', OSType: 'linux' }, { method: 'POST' });
    const run = await alice.request('RunInstances', { RegionId: 'cn-hangzhou', ImageId: publics.Images.Image[0].ImageId, InstanceType: 'ecs.g7.large' },
      { method: 'POST' });
    const instanceId = run.InstanceIdSets.InstanceIdSet[0];
    adminCommand(service, ['clock', 'advance', '2h', '--clock', clock]);

    const bss = new RPCClient({ accessKeyId: service.accounts.alice.AccessKeyId, accessKeySecret: service.accounts.alice.AccessKeySecret,
      endpoint: service.url, apiVersion: '2017-12-14' });
    const bill = (await bss.request('QueryInstanceBill', { BillingCycle: '2026-03', IsBillingItem: true, PageSize: 300 }, { method: 'POST' })).Data;
    const items = bill.Items.Item;
    assert.ok(items.some((i) => i.InstanceID === instanceId && i.BillingItem === 'InstanceType'));

    const page = await newPage(browser);
    await signIn(page, service, service.accounts.alice);
    await page.getByRole('link', { name: 'Billing' }).click();
    await page.waitForURL(/\/console\/billing$/);
    assert.equal(await page.getByLabel('Month (YYYY-MM)').inputValue(), '2026-03');
    const rows = await page.locator('#bill tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      id: tr.dataset.resourceId, item: tr.dataset.item, amount: tr.querySelector('.amount').textContent.trim(),
    })));
    const expected = items.map((i) => ({ id: i.InstanceID, item: i.BillingItem, amount: `${Number(i.PretaxAmount)} ${i.Currency}` }));
    const key = (r) => `${r.id}/${r.item}`;
    assert.deepEqual(rows.sort((a, b) => key(a).localeCompare(key(b))), expected.sort((a, b) => key(a).localeCompare(key(b))));
    await screenshot(page, 'billing');

    await page.getByLabel('Month (YYYY-MM)').fill('2026-02');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/cycle=2026-02/);
    assert.equal(await page.locator('#bill-empty').innerText(), 'Nothing is billed for this month.');
    await page.goto(`${service.url}/console/billing?cycle=March`);
    const refusal = await bss.request('QueryInstanceBill', { BillingCycle: 'March' }, { method: 'POST' }).then(() => null, (e) => e.data);
    assert.equal(await page.locator('.refusal').innerText(), `${refusal.Message} (${refusal.Code})`);

    const bobPage = await newPage(browser);
    await signIn(bobPage, service, service.accounts.bob);
    await bobPage.goto(`${service.url}/console/billing`);
    assert.equal(await bobPage.locator('#bill-empty').innerText(), 'Nothing is billed for this month.');
  });

  it('charts the month\'s daily spend: one labelled bar per day, summing to the bill', async () => {
    // The instance started at 10:00 on March 1 and has run 2 hours; 24 more put 12 hours on March 1 and 12 on March 2.
    adminCommand(service, ['clock', 'advance', '24h', '--clock', clock]);
    const bss = new RPCClient({ accessKeyId: service.accounts.alice.AccessKeyId, accessKeySecret: service.accounts.alice.AccessKeySecret,
      endpoint: service.url, apiVersion: '2017-12-14' });
    const items = (await bss.request('QueryInstanceBill', { BillingCycle: '2026-03', IsBillingItem: true, PageSize: 300 }, { method: 'POST' }))
      .Data.Items.Item;
    const currency = items[0].Currency;
    const total = items.reduce((sum, i) => sum + Number(i.PretaxAmount), 0);

    const page = await newPage(browser);
    await signIn(page, service, service.accounts.alice);
    await page.goto(`${service.url}/console/billing?cycle=2026-03`);
    const chart = page.getByRole('img', { name: `Daily spend in ${currency}, 2026-03` });
    await chart.waitFor();
    const bars = await chart.locator('rect').evaluateAll((rects) => rects.map((r) => ({ day: r.dataset.day, amount: Number(r.dataset.amount) })));
    assert.equal(bars.length, 31);
    assert.equal(bars[0].day, '2026-03-01');
    assert.ok(bars[0].amount > 0 && bars[1].amount > 0, JSON.stringify(bars.slice(0, 3)));
    assert.ok(bars.slice(2).every((b) => b.amount === 0));
    const charted = bars.reduce((sum, b) => sum + b.amount, 0);
    assert.ok(Math.abs(charted - total) < 1e-6, `chart ${charted} vs bill ${total}`);
    const description = await chart.locator('desc').textContent();
    assert.match(description, /^Mar 1: .+; Mar 2: .+$/);
    await screenshot(page, 'billing-chart');
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `scrolls by ${overflow}px`);
  });
});
