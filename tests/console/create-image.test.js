'use strict';
// Create a custom image in the console: from an instance (name and description), and from snapshots (a system disk
// snapshot plus a data disk snapshot). Each new image's page shows it Creating and then, through the page's poller,
// Available; DescribeImages then reports the same name, description and disks. A duplicate name is refused with the
// API's own message.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startService, popClient, until } = require('../sdk/harness');
const { launch, newPage, signIn, screenshot, waitForStatus } = require('./browser');
const { apiRefusal } = require('./refusal');

const REGION = 'cn-hangzhou';
const ALL_STATUSES = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';

describe('create a custom image in the console', () => {
  let service;
  let browser;
  let page;
  let alice;
  let instanceId;
  let systemSnapshot;
  let dataSnapshot;

  before(async () => {
    service = await startService();
    alice = popClient(service, service.accounts.alice);
    const publics = await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux' });
    const run = await api('RunInstances', { ImageId: publics.Images.Image[0].ImageId, InstanceType: 'ecs.g7.large', 'DataDisk.1.Size': '20' });
    instanceId = run.InstanceIdSets.InstanceIdSet[0];
    const disks = (await api('DescribeDisks', { InstanceId: instanceId })).Disks.Disk;
    const snapshotOf = async (type, name) => {
      const disk = disks.find((d) => d.Type === type);
      const { SnapshotId } = await api('CreateSnapshot', { DiskId: disk.DiskId, SnapshotName: name });
      await until(async () => (await api('DescribeSnapshots', { SnapshotIds: JSON.stringify([SnapshotId]) })).Snapshots.Snapshot[0]?.Status === 'accomplished',
        `snapshot ${name} accomplished`);
      return SnapshotId;
    };
    systemSnapshot = await snapshotOf('system', 'sys-snap');
    dataSnapshot = await snapshotOf('data', 'data-snap');
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

  async function apiImage(imageId) {
    return (await api('DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0];
  }

  /** After a create: the new image's page, Creating or already Available, then Available without a manual reload. */
  async function createdImage(screenshotName) {
    await page.waitForURL(/\/console\/images\/m-/);
    const [, imageId] = (await page.locator('.notice').innerText()).match(/^Creating image (\S+)\.$/);
    assert.equal(await page.locator('#image-id').innerText(), imageId);
    assert.match(await page.locator('#image-status').innerText(), /^(Creating|Available)$/);
    if (screenshotName) await screenshot(page, screenshotName);
    await waitForStatus(page, 'Available');
    return imageId;
  }

  it('creates an image from an instance with its name and description', async () => {
    await page.goto(`${service.url}/console/images?region=${REGION}`);
    await page.getByRole('link', { name: 'Create image', exact: true }).click();
    await page.waitForURL(/\/console\/images\/create/);
    await screenshot(page, 'image-create');
    await page.getByLabel('Instance', { exact: true }).selectOption(instanceId);
    await page.locator('#InstanceImageName').fill('from-instance');
    await page.locator('#InstanceDescription').fill('made in the console');
    await page.getByRole('button', { name: 'Create from instance' }).click();
    const imageId = await createdImage('image-creating');
    const image = await apiImage(imageId);
    assert.equal(image.Status, 'Available');
    assert.equal(image.ImageName, 'from-instance');
    assert.equal(image.Description, 'made in the console');
    assert.deepEqual(image.DiskDeviceMappings.DiskDeviceMapping.map((d) => d.Type), ['system', 'data']);
  });

  it('refuses a duplicate name with the API\'s message', async () => {
    const fromApi = await apiRefusal(api('CreateImage', { InstanceId: instanceId, ImageName: 'from-instance' }));
    await page.goto(`${service.url}/console/images/create?region=${REGION}`);
    await page.locator('#InstanceImageName').fill('from-instance');
    await page.getByRole('button', { name: 'Create from instance' }).click();
    await page.locator('.refusal').waitFor();
    assert.equal(await page.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);
  });

  it('creates an image from a system snapshot plus a data snapshot', async () => {
    await page.goto(`${service.url}/console/images/create?region=${REGION}`);
    await page.getByLabel('System disk snapshot').selectOption(systemSnapshot);
    await page.getByLabel(new RegExp(`^data-snap \\(${dataSnapshot}`)).check();
    await page.locator('#SnapshotImageName').fill('from-snapshots');
    await page.locator('#SnapshotDescription').fill('two disks');
    await page.getByRole('button', { name: 'Create from snapshots' }).click();
    const imageId = await createdImage();
    const image = await apiImage(imageId);
    assert.equal(image.ImageName, 'from-snapshots');
    assert.equal(image.Description, 'two disks');
    const mappings = image.DiskDeviceMappings.DiskDeviceMapping;
    assert.deepEqual(mappings.map((d) => d.Type), ['system', 'data']);
    await screenshot(page, 'image-created');
  });
});
