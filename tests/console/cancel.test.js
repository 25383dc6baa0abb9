'use strict';
// Cancel from the console against `imago serve --transfer-rate 0.5` (0.5 MiB/s, so an 8 MiB transfer takes ~16 s):
// the Cancel button on a Creating imported image's page and on a running export's page calls CancelTask (a POST with
// the antiforgery token), the page shows the outcome (the image CreateFailed, the export Cancelled), and DescribeTaskAttribute then reports the task Cancelled.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startService, popClient, adminCommand, until } = require('../sdk/harness');
const { launch, newPage, signIn } = require('./browser');

const REGION = 'cn-hangzhou';
const BUCKET = 'console-cancel';
const ALL_STATUSES = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';

describe('cancel an import or an export from the console', () => {
  let service;
  let browser;
  let page;
  let alice;

  before(async () => {
    service = await startService({ serveArgs: ['--transfer-rate', '0.5'] });
    alice = popClient(service, service.accounts.alice);
    adminCommand(service, ['bucket', 'create', '--region', REGION, BUCKET]);
    const disk = path.join(service.dataDir, 'disk.raw');
    fs.writeFileSync(disk, crypto.randomBytes(8 * 1024 * 1024));
    adminCommand(service, ['bucket', 'put', '--region', REGION, BUCKET, 'disk.raw', disk]);
    browser = await launch();
    page = await newPage(browser);
    page.on('dialog', (dialog) => dialog.accept());
    await signIn(page, service, service.accounts.alice);
  });

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
  });

  const api = (action, params) => alice.request(action, { RegionId: REGION, ...params }, { method: 'POST' });

  const importDisk = (name) => api('ImportImage', {
    ImageName: name, Platform: 'Ubuntu', OSType: 'linux', Architecture: 'x86_64',
    'DiskDeviceMapping.1.OSSBucket': BUCKET, 'DiskDeviceMapping.1.OSSObject': 'disk.raw', 'DiskDeviceMapping.1.Format': 'RAW',
  });

  it('an import in progress: Cancel on the image page cancels its task and the image is CreateFailed', async () => {
    const { ImageId: imageId, TaskId: taskId } = await importDisk('to-cancel');
    await page.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);
    assert.equal(await page.locator('#image-status').innerText(), 'Creating');
    // The disk is listed from the start, its progress moving without a reload, as DescribeImages reports it.
    await page.evaluate(() => { window.notReloaded = true; });
    await page.waitForFunction(() => {
      const value = Number.parseInt(document.getElementById('disk-progress-0')?.textContent, 10);
      return window.notReloaded && value > 0 && value < 100;
    }, null, { timeout: 60_000, polling: 100 });
    const shown = Number.parseInt(await page.locator('#disk-progress-0').innerText(), 10);
    const during = (await api('DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0].DiskDeviceMappings.DiskDeviceMapping;
    assert.deepEqual(during.map((d) => [d.Type, d.ImportOSSBucket, d.ImportOSSObject]), [['system', BUCKET, 'disk.raw']]);
    assert.ok(Number.parseInt(during[0].Progress, 10) >= shown, `the API's ${during[0].Progress} is behind the page's ${shown}%`);
    await page.getByRole('button', { name: 'Cancel import' }).click();
    await page.locator('.notice').waitFor();
    assert.equal(await page.locator('.notice').innerText(), `Import task ${taskId} cancelled.`);
    const task = await api('DescribeTaskAttribute', { TaskId: taskId });
    assert.equal(task.TaskStatus, 'Cancelled');
    assert.equal(task.TaskAction, 'ImportImage');
    assert.equal(await page.locator('#image-status').innerText(), 'CreateFailed');
    assert.equal(await page.getByRole('button', { name: 'Cancel import' }).count(), 0);
    const image = (await api('DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0];
    assert.equal(image.Status, 'CreateFailed');
  });

  it('an export in progress: Cancel on the export page cancels it and the page shows it Cancelled', async () => {
    const { ImageId: imageId } = await importDisk('to-export');
    await until(async () => (await api('DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0]?.Status === 'Available',
      'the import to finish');
    await page.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);
    await page.getByLabel('Export format').selectOption('raw');
    await page.getByLabel('Into bucket').selectOption(BUCKET);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.waitForURL(/\/console\/exports\/t-/);
    const taskId = await page.locator('#task-id').innerText();
    await page.getByRole('button', { name: 'Cancel export' }).click();
    await page.locator('.notice', { hasText: /cancelled/ }).waitFor();
    assert.equal(await page.locator('.notice').innerText(), `Export task ${taskId} cancelled.`);
    assert.equal(await page.locator('#image-status').innerText(), 'Cancelled');
    assert.equal(await page.getByRole('button', { name: 'Cancel export' }).count(), 0);
    const task = await api('DescribeTaskAttribute', { TaskId: taskId });
    assert.equal(task.TaskStatus, 'Cancelled');
    assert.equal(task.TaskAction, 'ExportImage');
  });
});
