'use strict';
// Export from the image page: a qcow2 made by qemu-img is imported through the API, exported from the console into
// an operator bucket, the task's page shows its progress and then a download link; the downloaded file equals the
// bucket's object byte for byte and the original disk by qemu-img compare. Another account's bucket is not offered,
// a forged one is refused with the API's message, and bob cannot see the task nor download the object.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startService, popClient, until, adminCommand } = require('../sdk/harness');
const { launch, newPage, signIn, screenshot } = require('./browser');
const { apiRefusal } = require('./refusal');

const REGION = 'cn-hangzhou';
const BUCKET = 'console-exports';
const BOBS_BUCKET = 'bobs-own';

describe('export from the console', () => {
  let service;
  let browser;
  let page;
  let alice;
  let original;
  let imageId;
  let taskId;

  before(async () => {
    service = await startService();
    alice = popClient(service, service.accounts.alice);
    adminCommand(service, ['bucket', 'create', '--region', REGION, BUCKET]);
    adminCommand(service, ['bucket', 'create', '--region', REGION, '--owner', String(service.accounts.bob.AccountId), BOBS_BUCKET]);
    original = path.join(service.dataDir, 'original.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', original, '16M']);
    for (const c of ['write -P 0x5a 1M 64k', 'write -P 0xa5 15M 1M']) execFileSync('qemu-io', ['-f', 'qcow2', '-c', c, original]);
    adminCommand(service, ['bucket', 'put', '--region', REGION, BUCKET, 'original.qcow2', original]);
    imageId = (await api('ImportImage', {
      ImageName: 'export-me', 'DiskDeviceMapping.1.OSSBucket': BUCKET, 'DiskDeviceMapping.1.OSSObject': 'original.qcow2',
      'DiskDeviceMapping.1.Format': 'qcow2',
    })).ImageId;
    await until(async () => (await api('DescribeImages', { ImageId: imageId, Status: 'Creating,Available' })).Images.Image[0]?.Status === 'Available',
      'imported image Available');
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, service, service.accounts.alice);
  });

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
  });

  function api(action, params) {
    return alice.request(action, { RegionId: REGION, ...params }, { method: 'POST' });
  }


  it('offers the caller\'s and the operator\'s buckets only, and refuses a forged bucket with the API\'s message', async () => {
    await page.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);
    const offered = await page.getByLabel('Into bucket').locator('option').evaluateAll((options) => options.map((o) => o.value));
    assert.deepEqual(offered, [BUCKET]);
    await page.locator('#ExportBucket').evaluate((select, name) => select.add(new Option(name, name), null), BOBS_BUCKET);
    await page.getByLabel('Into bucket').selectOption(BOBS_BUCKET);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.waitForLoadState();
    const fromApi = await apiRefusal(api('ExportImage', { ImageId: imageId, OSSBucket: BOBS_BUCKET }));
    assert.equal(fromApi.code, 'InvalidOSSBucket.NotFound');
    assert.equal(await page.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);
  });

  it('exports raw, shows the task\'s progress, then a download link whose bytes are the bucket\'s object and the disk', async () => {
    await page.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);
    await page.getByLabel('Export format').selectOption('raw');
    await page.getByLabel('Into bucket').selectOption(BUCKET);
    await page.getByLabel('Object prefix').fill('web');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await page.waitForURL(/\/console\/exports\/t-/);
    taskId = await page.locator('#task-id').innerText();
    assert.match(await page.locator('.notice').innerText(), new RegExp(`^Exporting as task ${taskId}\\.$`));
    await screenshot(page, 'export');
    // The poller reloads the page once the task has ended; the link appears then.
    const link = page.getByRole('link', { name: /^Download / });
    await link.waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#image-status').innerText(), 'Finished');
    assert.equal(await page.locator('#image-progress').evaluate((bar) => bar.value), 100);
    const task = await api('DescribeTaskAttribute', { TaskId: taskId });
    assert.equal(task.TaskStatus, 'Finished');
    assert.equal(task.TaskAction, 'ExportImage');
    const key = `web_${imageId}_system.raw`;
    assert.equal(await link.innerText(), `Download ${key}`);
    await screenshot(page, 'export-finished');

    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), key);
    const downloaded = path.join(service.dataDir, 'downloaded.raw');
    await download.saveAs(downloaded);
    const fromBucket = path.join(service.dataDir, 'bucket.raw');
    adminCommand(service, ['bucket', 'get', '--region', REGION, BUCKET, key, fromBucket]);
    assert.ok(fs.readFileSync(downloaded).equals(fs.readFileSync(fromBucket)), 'the download equals the bucket object');
    execFileSync('qemu-img', ['compare', '-q', '-f', 'qcow2', '-F', 'raw', original, downloaded]);

    const response = await page.request.get(service.url + await link.getAttribute('href'));
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-disposition'], new RegExp(`^attachment; filename=${key}`));
  });

  it('the new pages are readable at 390 px wide, and every control on them is labelled', async () => {
    const narrow = await newPage(browser, { width: 390, height: 844 });
    await signIn(narrow, service, service.accounts.alice);
    const pages = [
      [`/console/images/${imageId}?region=${REGION}`, 'image-390'],
      [`/console/exports/${taskId}?region=${REGION}`, 'export-390'],
      [`/console/images/import?region=${REGION}`, 'image-import-390'],
      [`/console/images/create?region=${REGION}`, 'image-create-390'],
    ];
    for (const [url, name] of pages) {
      await narrow.goto(service.url + url);
      await screenshot(narrow, name);
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${url} is ${overflow}px wider than the screen`);
      const unlabelled = await narrow.evaluate(() => [...document.querySelectorAll('main input:not([type=hidden]), main select')]
        .filter((c) => !(c.labels?.length > 0) && !c.getAttribute('aria-label')).map((c) => c.id || c.name));
      assert.deepEqual(unlabelled, [], `unlabelled controls on ${url}`);
    }
    await narrow.context().close();
  });

  it('another account sees neither the export nor its download', async () => {
    const bobPage = await newPage(browser);
    await signIn(bobPage, service, service.accounts.bob);
    const shown = await bobPage.goto(`${service.url}/console/exports/${taskId}?region=${REGION}`);
    assert.equal(shown.status(), 404);
    assert.match(await bobPage.locator('.refusal').innerText(), /InvalidTaskId.NotFound/);
    const download = await bobPage.request.get(`${service.url}/console/exports/${taskId}?handler=Download&disk=0&region=${REGION}`);
    assert.equal(download.status(), 404);
    const progress = await bobPage.request.get(`${service.url}/console/exports/${taskId}?handler=Progress&region=${REGION}`);
    assert.equal(progress.status(), 404);
    await bobPage.context().close();
  });
});
