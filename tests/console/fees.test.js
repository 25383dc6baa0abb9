'use strict';
// Fees on the image page: a custom image's snapshot capacity (each snapshot's StoredBytes, as DescribeSnapshots
// reports FullSnapshotSizeInBytes, at the price book's GiB-month price), nothing for an account the image is shared
// with (it owns no snapshot), and the vendor's hourly price on a Marketplace image.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startService, popClient, qemuIo, until } = require('../sdk/harness');
const { launch, newPage, signIn, screenshot } = require('./browser');

const REGION = 'cn-hangzhou';
const PER_GIB_MONTH = 0.018; // the built-in sample price book's cn-hangzhou snapshotPerGiBMonth
const CODE = 'cmjj0fees01';

describe('fees on the image page', () => {
  let service;
  let browser;
  let page;
  let alice;
  let fileDir;
  let imageId;

  before(async () => {
    fileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imago-console-fees-'));
    const file = path.join(fileDir, 'shop.raw');
    fs.writeFileSync(file, Buffer.alloc(4 << 20, 0x6d));
    service = await startService({
      beforeServe: async (dataDir, admin) => {
        admin(['marketplace', 'publish', file, '--product-code', CODE, '--name', 'fee-shop', '--vendor', 'Acme',
          '--version', '1.0', '--regions', REGION, '--hourly-price', '0.089', '--monthly-price', '43', '--json']);
      },
    });
    alice = popClient(service, service.accounts.alice);
    const publics = await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux' });
    const run = await api('RunInstances', { ImageId: publics.Images.Image[0].ImageId, InstanceType: 'ecs.g7.large' });
    const instanceId = run.InstanceIdSets.InstanceIdSet[0];
    const disk = (await api('DescribeDisks', { InstanceId: instanceId })).Disks.Disk[0];
    const random = path.join(fileDir, 'random.bin');
    fs.writeFileSync(random, require('node:crypto').randomBytes(3 << 20));
    qemuIo(service, disk.DiskId, [`write -s ${random} 0 3M`]);
    imageId = (await api('CreateImage', { InstanceId: instanceId, ImageName: 'priced' })).ImageId;
    await until(async () => (await api('DescribeImages', { ImageId: imageId, Status: 'Creating,Available' })).Images.Image[0]?.Status === 'Available',
      'image Available');
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, service, service.accounts.alice);
  });

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
    if (fileDir) fs.rmSync(fileDir, { recursive: true, force: true });
  });

  function api(action, params) {
    return alice.request(action, { RegionId: REGION, ...params }, { method: 'POST' });
  }

  const number = (text) => Number.parseFloat(text.replace(/[^0-9.]/g, ''));

  it('shows each owned snapshot\'s stored bytes and a month of capacity at the price book\'s price', async () => {
    await page.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);
    assert.equal(await page.locator('#fee-per-gib').innerText(), `${PER_GIB_MONTH} USD`);
    const image = (await api('DescribeImages', { ImageId: imageId })).Images.Image[0];
    const snapshotId = image.DiskDeviceMappings.DiskDeviceMapping[0].SnapshotId;
    const snapshot = (await api('DescribeSnapshots', { SnapshotIds: JSON.stringify([snapshotId]) })).Snapshots.Snapshot[0];
    const stored = Number(snapshot.FullSnapshotSizeInBytes);
    assert.ok(stored >= 3 << 20, `3 MiB of random bytes are stored (${stored})`);
    const row = page.locator('#fees tbody tr', { hasText: snapshotId });
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(number(cells[1]), stored);
    const expected = (stored / 2 ** 30) * PER_GIB_MONTH;
    assert.ok(Math.abs(number(cells[3]) - expected) < 1e-6, `${cells[3]} vs ${expected}`);
    assert.ok(Math.abs(number(await page.locator('#fee-snapshot-month').innerText()) - expected) < 1e-6);
    assert.equal(await page.locator('#fee-vendor').count(), 0);
    assert.equal(await page.locator('#export-no-buckets').count(), 1, 'no bucket: the page says why there is no export');
    await page.locator('#fees-title').scrollIntoViewIfNeeded();
    await screenshot(page, 'image-fees');
  });

  it('an account the image is shared with pays no snapshot capacity for it', async () => {
    await api('ModifyImageSharePermission', { ImageId: imageId, 'AddAccount.1': service.accounts.bob.AccountId });
    const bobPage = await newPage(browser);
    await signIn(bobPage, service, service.accounts.bob);
    await bobPage.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);
    await bobPage.locator('#fees-no-snapshots').waitFor();
    assert.equal(await bobPage.locator('#fees').count(), 0);
    await bobPage.context().close();
  });

  it('a Marketplace image shows the vendor\'s hourly price', async () => {
    const market = (await api('DescribeImages', { ImageOwnerAlias: 'marketplace' })).Images.Image.find((i) => i.ProductCode === CODE);
    await page.goto(`${service.url}/console/images/${market.ImageId}?region=${REGION}`);
    assert.equal(await page.locator('#fee-vendor-hourly').innerText(), '0.089 USD');
    assert.match(await page.locator('#fee-vendor').innerText(), new RegExp(`${CODE} by Acme: 0\\.089 USD per hour for each instance made from it \\(64\\.08 USD per month\\)`));
    assert.equal(await page.locator('#fees-no-snapshots').count(), 1);
  });
});
