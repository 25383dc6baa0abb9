'use strict';
// The Instances page's create form and an instance page walked in Chromium: create (then DescribeInstances lists it),
// its disks as DescribeDisks reports them, stop/start, replace system disk (refused while Running with the API's
// message, then done while Stopped), and a snapshot of a disk that the Snapshots page then lists.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startService, popClient, until } = require('../sdk/harness');
const { launch, newPage, signIn, screenshot } = require('./browser');
const { apiRefusal } = require('./refusal');

const REGION = 'cn-hangzhou';

describe('instances in the console', () => {
  let service;
  let browser;
  let page;
  let alice;
  let instanceId;
  let snapshotId;

  before(async () => {
    service = await startService();
    browser = await launch();
    alice = popClient(service, service.accounts.alice);
    page = await newPage(browser);
    await signIn(page, service, service.accounts.alice);
  });

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
  });

  const api = (action, params) => alice.request(action, { RegionId: REGION, ...params }, { method: 'POST' });

  /** Clicks a button whose form asks for confirmation, accepts, and returns the POST's response once the page loaded. */
  const submitConfirmed = async (button) => {
    page.once('dialog', (d) => d.accept());
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), button.click()]);
    await page.waitForLoadState();
    return response;
  };

  const apiInstance = async () => (await api('DescribeInstances', { InstanceIds: JSON.stringify([instanceId]) })).Instances.Instance[0];

  it('creates an instance from the Instances page with an image, type and system disk size', async () => {
    const publics = await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux', Architecture: 'x86_64' });
    const image = publics.Images.Image[0];
    await page.goto(`${service.url}/console/instances`);
    await page.getByLabel('Image', { exact: true }).selectOption(image.ImageId);
    await page.getByLabel('Instance type').selectOption('ecs.g7.large');
    await page.getByLabel('System disk (GiB, optional)').fill('40');
    await page.getByRole('button', { name: 'Create instance' }).click();
    await page.waitForURL(/\/console\/instances\/i-/);
    instanceId = await page.locator('#instance-id').innerText();
    assert.match(await page.locator('.notice, [role=status]').first().innerText(), new RegExp(`Instance ${instanceId} created`));
    const fromApi = await apiInstance();
    assert.equal(fromApi.ImageId, image.ImageId);
    assert.equal(fromApi.InstanceType, 'ecs.g7.large');
    assert.equal(fromApi.Status, 'Stopped');
    assert.equal(await page.locator('#instance-status').innerText(), 'Stopped');
    assert.match(await page.locator('#instance-type').innerText(), /^ecs\.g7\.large/);
    assert.equal(await page.locator('#instance-image').innerText(), image.ImageId);

    const disks = (await api('DescribeDisks', { InstanceId: instanceId })).Disks.Disk;
    const shown = await page.locator('#disks tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.diskId));
    assert.deepEqual(shown.sort(), disks.map((d) => d.DiskId).sort());
    assert.equal(disks.find((d) => d.Type === 'system').Size, 40);
    await screenshot(page, 'instance');
  });

  it('starts and stops the instance from its page, as the API then reports', async () => {
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForLoadState();
    assert.equal((await apiInstance()).Status, 'Running');
    assert.equal(await page.locator('#instance-status').innerText(), 'Running');
  });

  it('refuses to replace the system disk of a Running instance with the API\'s message', async () => {
    const current = (await apiInstance()).ImageId;
    const refusal = await apiRefusal(api('ReplaceSystemDisk', { InstanceId: instanceId, ImageId: current }));
    const response = await submitConfirmed(page.getByRole('button', { name: 'Replace system disk' }));
    assert.equal(response.status(), 400);
    const shown = await page.locator('main').innerText();
    assert.ok(shown.includes(refusal.message), `${refusal.message} in ${shown}`);
    assert.ok(shown.includes(refusal.code));
  });

  it('replaces the system disk of a Stopped instance with another image', async () => {
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.waitForLoadState();
    assert.equal((await apiInstance()).Status, 'Stopped');
    const oldSystem = (await api('DescribeDisks', { InstanceId: instanceId, DiskType: 'system' })).Disks.Disk[0].DiskId;
    const publics = (await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux', Architecture: 'x86_64', PageSize: 50 })).Images.Image;
    const current = (await apiInstance()).ImageId;
    const other = publics.find((i) => i.ImageId !== current) ?? publics[0];
    await page.getByLabel('Image', { exact: true }).selectOption(other.ImageId);
    page.once('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Replace system disk' }).click();
    await page.waitForLoadState();
    await until(async () => (await apiInstance()).ImageId === other.ImageId, 'the instance runs the new image');
    const newSystem = (await api('DescribeDisks', { InstanceId: instanceId, DiskType: 'system' })).Disks.Disk[0].DiskId;
    assert.notEqual(newSystem, oldSystem);
    await page.reload();
    assert.match(await page.locator('main').innerText(), new RegExp(newSystem));
    assert.equal(await page.locator('#instance-image').innerText(), other.ImageId);
  });

  it('creates a snapshot of a disk, then listed on the Snapshots page and by DescribeSnapshots', async () => {
    const diskId = (await api('DescribeDisks', { InstanceId: instanceId, DiskType: 'system' })).Disks.Disk[0].DiskId;
    await page.getByLabel(`Snapshot name for ${diskId}`).fill('console-snap');
    await page.getByRole('button', { name: `Create snapshot of ${diskId}` }).click();
    await page.waitForLoadState();
    const notice = await page.locator('main').innerText();
    snapshotId = /Snapshot (s-\S+) of disk/.exec(notice)?.[1];
    assert.ok(snapshotId, notice);
    const fromApi = (await api('DescribeSnapshots', { SnapshotIds: JSON.stringify([snapshotId]) })).Snapshots.Snapshot[0];
    assert.equal(fromApi.SourceDiskId, diskId);
    assert.equal(fromApi.SnapshotName, 'console-snap');
    await page.getByRole('link', { name: 'Snapshots' }).click();
    await page.waitForLoadState();
    assert.match(await page.locator('main').innerText(), new RegExp(snapshotId));
  });

  const snapshotRows = (p) => p.locator('#snapshots tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.snapshotId));

  const deleteSnapshotInPage = async (id, { force = false } = {}) => {
    await page.goto(`${service.url}/console/snapshots`);
    if (force) await page.locator(`#force-${id}`).check();
    return submitConfirmed(page.getByRole('button', { name: `Delete ${id}` }));
  };

  it('filters snapshots by status as DescribeSnapshots does', async () => {
    await until(async () => (await api('DescribeSnapshots', { SnapshotIds: JSON.stringify([snapshotId]) })).Snapshots.Snapshot[0].Status === 'accomplished',
      'the snapshot accomplished');
    await page.goto(`${service.url}/console/snapshots`);
    await page.getByLabel('Status').selectOption('accomplished');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=accomplished/);
    const accomplished = (await api('DescribeSnapshots', { Status: 'accomplished' })).Snapshots.Snapshot.map((x) => x.SnapshotId);
    assert.deepEqual(await snapshotRows(page), accomplished);
    assert.ok(accomplished.includes(snapshotId));
    await screenshot(page, 'snapshots');
    await page.goto(`${service.url}/console/snapshots?status=failed`);
    assert.equal(await page.locator('#snapshots-empty').count(), 1);
  });

  it('refuses to delete a snapshot an image was made from, with the API\'s SnapshotCreatedImage message', async () => {
    const imageId = (await api('CreateImage', { SnapshotId: snapshotId, ImageName: 'from-snap' })).ImageId;
    const refusal = await apiRefusal(api('DeleteSnapshot', { SnapshotId: snapshotId }));
    const response = await deleteSnapshotInPage(snapshotId);
    assert.equal(response.status(), 400);
    assert.equal(await page.locator('.refusal').innerText(), `${refusal.message} (${refusal.code})`);
    assert.match(refusal.code, /SnapshotCreatedImage/);
    await api('DeleteImage', { ImageId: imageId, Force: true });
  });

  it('refuses to delete a snapshot a disk was made from unless forced (SnapshotCreatedDisk), then deletes it', async () => {
    const image = (await api('DescribeInstances', { InstanceIds: JSON.stringify([instanceId]) })).Instances.Instance[0].ImageId;
    await api('RunInstances', { ImageId: image, InstanceType: 'ecs.g7.large', 'DataDisk.1.SnapshotId': snapshotId });
    const refusal = await apiRefusal(api('DeleteSnapshot', { SnapshotId: snapshotId }));
    assert.match(refusal.code, /SnapshotCreatedDisk/);
    const response = await deleteSnapshotInPage(snapshotId);
    assert.equal(response.status(), 400);
    assert.equal(await page.locator('.refusal').innerText(), `${refusal.message} (${refusal.code})`);
    await deleteSnapshotInPage(snapshotId, { force: true });
    assert.equal(await page.locator('.notice').innerText(), `Snapshot ${snapshotId} deleted.`);
    assert.equal((await api('DescribeSnapshots', { SnapshotIds: JSON.stringify([snapshotId]) })).Snapshots.Snapshot.length, 0);
  });

  it('filters tasks by action as DescribeTasks does', async () => {
    await page.goto(`${service.url}/console/tasks?action=CreateSnapshot`);
    const listed = await page.locator('#tasks tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.taskId));
    const fromApi = (await api('DescribeTasks', { TaskAction: 'CreateSnapshot' })).TaskSet.Task.map((t) => t.TaskId);
    assert.ok(fromApi.length > 0);
    assert.deepEqual(listed, fromApi);
    await page.goto(`${service.url}/console/tasks?action=ExportImage`);
    assert.equal(await page.locator('#tasks-empty').count(), 1);
  });

  it('pages the filtered Snapshots list, the pager keeping the filter, as DescribeSnapshots pages it', async () => {
    const diskId = (await api('DescribeDisks', { InstanceId: instanceId, DiskType: 'system' })).Disks.Disk[0].DiskId;
    for (let i = 0; i < 21; i++) await api('CreateSnapshot', { DiskId: diskId, SnapshotName: `paged-${i}` });
    await until(async () => (await api('DescribeSnapshots', { DiskId: diskId, Status: 'accomplished' })).TotalCount >= 21, 'the snapshots accomplished');
    const expected = async (pageNumber) =>
      (await api('DescribeSnapshots', { Status: 'accomplished', PageNumber: pageNumber, PageSize: 20 })).Snapshots.Snapshot.map((x) => x.SnapshotId);
    await page.goto(`${service.url}/console/snapshots?status=accomplished`);
    assert.deepEqual(await snapshotRows(page), await expected(1));
    await page.getByRole('link', { name: 'Next' }).click();
    await page.waitForURL(/\/console\/snapshots\?status=accomplished&page=2$/);
    assert.deepEqual(await snapshotRows(page), await expected(2));
    assert.equal(await page.getByLabel('Status').inputValue(), 'accomplished');
  });

  it('the new pages label every control and reach them by keyboard', async () => {
    for (const url of [`/console/instances/${instanceId}`, '/console/instances', '/console/snapshots', '/console/tasks', '/console/billing']) {
      await page.goto(`${service.url}${url}`);
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input:not([type=hidden]), main select, main button')]
        .filter((c) => !c.labels?.length && !c.getAttribute('aria-label') && !c.textContent.trim()).map((c) => c.outerHTML));
      assert.deepEqual(unlabelled, [], url);
      const unreachable = await page.evaluate(() => [...document.querySelectorAll('main input:not([type=hidden]), main select, main button')]
        .filter((c) => c.tabIndex < 0 && !c.disabled).map((c) => c.outerHTML));
      assert.deepEqual(unreachable, [], url);
    }
  });

  it('hostile filters, pages and ids give pages, never errors', async () => {
    for (const [url, status] of [
      ['/console/snapshots?status=%3Cscript%3E&page=-5', 200],
      ['/console/tasks?action=DROP%20TABLE&status=%00&page=abc', 200],
      ['/console/tasks?action=CopyImage&page=99999999999', 200],
      [`/console/instances/${'i'.repeat(5000)}`, 404],
      ['/console/instances/%E2%80%AE', 404],
    ]) {
      const response = await page.goto(`${service.url}${url}`);
      assert.equal(response.status(), status, url);
      assert.equal(await page.locator('h1').count(), 1, url);
    }
  });

  it('another account\'s instance page is the API\'s NotFound', async () => {
    const bobPage = await newPage(browser);
    await signIn(bobPage, service, service.accounts.bob);
    const response = await bobPage.goto(`${service.url}/console/instances/${instanceId}`);
    assert.equal(response.status(), 404);
    assert.match(await bobPage.locator('main').innerText(), /InvalidInstanceId\.NotFound/);
    await bobPage.context().close();
  });

  it('the instance page is readable at 390 px without horizontal scrolling', async () => {
    const narrow = await newPage(browser, { width: 390, height: 844 });
    await signIn(narrow, service, service.accounts.alice);
    await narrow.goto(`${service.url}/console/instances/${instanceId}`);
    await screenshot(narrow, 'instance-390');
    const wide = await narrow.evaluate(() => [...document.querySelectorAll('main *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth && !e.closest('.table-wrap'))
      .map((e) => `${e.tagName}#${e.id}.${e.className}`));
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `scrolls by ${overflow}px: ${wide.join(', ')}`);
    await narrow.context().close();
  });
});
