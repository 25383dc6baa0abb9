'use strict';
// Copy to a region from the image page, on a service throttled to 1 MiB/s so the copy takes seconds: the copy's page
// shows live progress (the page's poller, no reload), Cancel removes the partial copy, and a copy left alone ends
// Available with its lineage, as DescribeImages reports.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { startService, popClient, qemuIo, until } = require('../sdk/harness');
const { launch, newPage, signIn, screenshot } = require('./browser');

const SOURCE = 'cn-hangzhou';
const DESTINATION = 'cn-shanghai';
const ALL_STATUSES = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';

describe('copy to a region in the console', () => {
  let service;
  let browser;
  let page;
  let alice;
  let sourceImage;

  before(async () => {
    service = await startService({ serveArgs: ['--transfer-rate', '1'] });
    alice = popClient(service, service.accounts.alice);
    browser = await launch();
    page = await newPage(browser);
    await signIn(page, service, service.accounts.alice);

    sourceImage = await randomImage('copy-me');
  });

  /** An image holding 6 MiB of fresh random bytes (no chunk dedups or compresses), so a copy at 1 MiB/s takes seconds. */
  async function randomImage(name) {
    const publics = await api(SOURCE, 'DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux' });
    const run = await api(SOURCE, 'RunInstances', { ImageId: publics.Images.Image[0].ImageId, InstanceType: 'ecs.g7.large' });
    const instanceId = run.InstanceIdSets.InstanceIdSet[0];
    const disk = (await api(SOURCE, 'DescribeDisks', { InstanceId: instanceId })).Disks.Disk[0];
    const random = path.join(service.dataDir, `${name}.bin`);
    fs.writeFileSync(random, crypto.randomBytes(6 * 1024 * 1024));
    qemuIo(service, disk.DiskId, [`write -s ${random} 0 6M`]);
    const imageId = (await api(SOURCE, 'CreateImage', { InstanceId: instanceId, ImageName: name })).ImageId;
    await until(async () => (await describe1(SOURCE, imageId))?.Status === 'Available', `${name} Available`);
    return imageId;
  }

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
  });

  function api(region, action, params) {
    return alice.request(action, { RegionId: region, ...params }, { method: 'POST' });
  }

  async function describe1(region, imageId) {
    return (await api(region, 'DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0];
  }

  const copyFromPage = async (name) => {
    await page.goto(`${service.url}/console/images/${sourceImage}?region=${SOURCE}`);
    await page.getByLabel('Copy to region').selectOption(DESTINATION);
    await page.getByLabel('Name of the copy').fill(name);
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.waitForURL(new RegExp(`region=${DESTINATION}$`));
    const [, copyId] = (await page.locator('.notice').innerText()).match(new RegExp(`^Copying to ${DESTINATION} as image (\\S+)\\.$`));
    return copyId;
  };

  it('the copy\'s page shows its progress rising without a reload, then Cancel removes it', async () => {
    const copyId = await copyFromPage('copy-cancelled');
    assert.equal(await page.locator('#image-id').innerText(), copyId);
    assert.match(await page.locator('#image-status').innerText(), /^(Creating|Waiting)$/);
    await page.evaluate(() => { window.notReloaded = true; });
    // The poller moves the bar while the page stays the same document.
    // So do the disk's row: its progress and the time left.
    await page.waitForFunction(() => {
      const value = document.getElementById('image-progress').value;
      const disk = Number.parseInt(document.getElementById('disk-progress-0').textContent, 10);
      const left = document.getElementById('disk-remain-0').textContent;
      return window.notReloaded && value > 0 && value < 100 && disk > 0 && disk < 100 && /^about \d+ (s|min)$/.test(left);
    }, null, { timeout: 60_000, polling: 100 });
    const shown = await page.locator('#image-progress').evaluate((bar) => bar.value);
    const diskShown = Number.parseInt(await page.locator('#disk-progress-0').innerText(), 10);
    const copy = await describe1(DESTINATION, copyId);
    const fromApi = Number.parseInt(copy.Progress, 10);
    assert.ok(fromApi >= shown, `the API's progress ${fromApi} is behind the page's ${shown}`);
    const diskFromApi = Number.parseInt(copy.DiskDeviceMappings.DiskDeviceMapping[0].Progress, 10);
    assert.ok(diskFromApi >= diskShown, `the API's disk progress ${diskFromApi} is behind the page's ${diskShown}`);
    await screenshot(page, 'image-copying');

    await page.getByRole('button', { name: 'Cancel copy' }).click();
    await page.waitForURL(/tab=custom$/);
    assert.equal(await page.locator('.notice').innerText(), `Copy ${copyId} cancelled: the partial copy is removed.`);
    await until(async () => (await describe1(DESTINATION, copyId)) === undefined, 'the cancelled copy gone');
  });

  it('a copy left alone ends Available on the page with its lineage, as the API reports', async () => {
    const copyId = await copyFromPage('copy-kept');
    // The poller reloads the page once the copy has ended.
    await page.locator('#image-status', { hasText: 'Available' }).waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('#source-region').innerText(), SOURCE);
    assert.equal(await page.locator('#source-image').innerText(), sourceImage);
    const fromApi = await describe1(DESTINATION, copyId);
    assert.equal(fromApi.Status, 'Available');
    assert.equal(fromApi.ImageName, 'copy-kept');
    assert.equal(await page.locator('#image-name').innerText(), 'copy-kept');
  });

  it('the Tasks page filters by action and status and cancels a running copy with CancelTask', async () => {
    // Fresh random bytes: the earlier copies' chunks are already in the destination, which would make a copy instant.
    const freshImage = await randomImage('cancel-me');
    const copyId = (await api(SOURCE, 'CopyImage', { ImageId: freshImage, DestinationRegionId: DESTINATION, DestinationImageName: 'copy-by-task' }))
      .ImageId;
    const task = async () => {
      for (const region of [DESTINATION, SOURCE]) {
        const found = (await api(region, 'DescribeTasks', { TaskAction: 'CopyImage', TaskStatus: 'Processing', PageSize: 100 })).TaskSet.Task
          .find((t) => t.ResourceId === copyId || t.ResourceId === freshImage);
        if (found) return { region, found };
      }
      throw new Error('no Processing CopyImage task for the copy');
    };
    const { region, found } = await task();
    await page.goto(`${service.url}/console/tasks?region=${region}&action=CopyImage&status=Processing`);
    const listed = await page.locator('#tasks tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.taskId));
    const processing = (await api(region, 'DescribeTasks', { TaskAction: 'CopyImage', TaskStatus: 'Processing' })).TaskSet.Task.map((t) => t.TaskId);
    assert.deepEqual(listed, processing);
    assert.ok(listed.includes(found.TaskId));
    assert.equal(await page.getByLabel('Action').inputValue(), 'CopyImage');
    await screenshot(page, 'tasks-filtered');
    await page.getByRole('button', { name: `Cancel ${found.TaskId}` }).click();
    await page.waitForLoadState();
    assert.equal(await page.locator('.notice').innerText(), `Task ${found.TaskId} cancelled.`);
    const after = (await api(region, 'DescribeTasks', { TaskIds: found.TaskId })).TaskSet.Task[0];
    assert.equal(after.TaskStatus, 'Cancelled');
    await until(async () => (await describe1(DESTINATION, copyId)) === undefined, 'the cancelled copy gone');

    await page.goto(`${service.url}/console/tasks?region=${region}&action=CopyImage&status=Cancelled`);
    const cancelled = await page.locator('#tasks tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.taskId));
    assert.ok(cancelled.includes(found.TaskId));
    assert.equal(await page.getByRole('button', { name: `Cancel ${found.TaskId}` }).count(), 0);
  });
});

