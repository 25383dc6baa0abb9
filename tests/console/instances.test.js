'use strict';
// The Create instances form and an instance page walked in Chromium: create with zone, name, data disks and tags (then
// DescribeInstances and DescribeDisks agree), refusals with the API's messages, the form without script, the image
// page's link to it; the instance's disks as DescribeDisks reports them, stop/start, replace system disk (refused while Running with the API's
// message, then done while Stopped), and a snapshot of a disk that the Snapshots page then lists.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { until } = require('../sdk/harness');
const { newPage, signIn, screenshot, startSignedIn } = require('./browser');
const { apiRefusal } = require('./refusal');

const REGION = 'cn-hangzhou';

describe('instances in the console', () => {
  let service;
  let browser;
  let page;
  let api;
  let stop;
  let instanceId;
  let snapshotId;

  before(async () => {
    ({ service, browser, page, api, stop } = await startSignedIn(REGION));
  });

  after(async () => {
    if (stop) await stop();
  });

  /** Clicks a button whose form asks for confirmation, accepts, and returns the POST's response once the page loaded. */
  const submitConfirmed = async (button) => {
    page.once('dialog', (d) => d.accept());
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), button.click()]);
    await page.waitForLoadState();
    return response;
  };

  const apiInstance = async () => (await api('DescribeInstances', { InstanceIds: JSON.stringify([instanceId]) })).Instances.Instance[0];

  /** A fieldset of the create form by its legend ("Data disk 2", "Tag 1"). */
  const row = (p, name) => p.getByRole('group', { name, exact: true });

  /** An accomplished snapshot of a fresh 20 GiB data disk (made through the API), for a data disk "from a snapshot". */
  const dataSnapshot = async () => {
    const publics = await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux', Architecture: 'x86_64' });
    const helper = (await api('RunInstances', { ImageId: publics.Images.Image[0].ImageId, InstanceType: 'ecs.g7.large', 'DataDisk.1.Size': '20' }))
      .InstanceIdSets.InstanceIdSet[0];
    const disk = (await api('DescribeDisks', { InstanceId: helper, DiskType: 'data' })).Disks.Disk[0].DiskId;
    const id = (await api('CreateSnapshot', { DiskId: disk, SnapshotName: 'for-a-data-disk' })).SnapshotId;
    await until(async () => (await api('DescribeSnapshots', { SnapshotIds: JSON.stringify([id]) })).Snapshots.Snapshot[0].Status === 'accomplished',
      'the data disk snapshot accomplished');
    return id;
  };

  it('creates an instance with zone, name, system disk, two data disks and two tags on the Create page (rows added by script)', async () => {
    const publics = await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux', Architecture: 'x86_64' });
    const image = publics.Images.Image[0];
    const zones = (await api('DescribeZones', {})).Zones.Zone.map((z) => z.ZoneId);
    const zone = zones[1];
    const fromSnapshot = await dataSnapshot();
    await page.goto(`${service.url}/console/instances`);
    await page.getByRole('link', { name: 'Create instances' }).click();
    await page.waitForURL(/\/console\/instances\/create$/);
    const offeredZones = await page.getByLabel('Zone').locator('option').evaluateAll((options) => options.map((o) => o.value));
    assert.deepEqual(offeredZones, zones, 'the zones DescribeZones lists');
    await page.getByLabel('Image', { exact: true }).selectOption(image.ImageId);
    await page.getByLabel('Instance type').selectOption('ecs.g7.large');
    await page.getByLabel('Zone').selectOption(zone);
    await page.getByLabel('Instance name (optional)').fill('web-1');
    await page.getByLabel('Description (optional)').fill('made in the console');
    await page.getByLabel(/^Size \(GiB, optional/).fill('40');

    // With script, one blank row per group and Add/Remove buttons: add a second data disk, three tags, remove one.
    assert.equal(await page.locator('#data-disks [data-row]').count(), 1);
    await page.getByRole('button', { name: 'Add data disk' }).click();
    await row(page, 'Data disk 1').getByLabel('Size (GiB)').fill('30');
    await row(page, 'Data disk 1').getByLabel('Category').selectOption('cloud_essd');
    await row(page, 'Data disk 1').getByLabel('Delete with the instance').uncheck();
    await row(page, 'Data disk 2').getByLabel('From snapshot').selectOption(fromSnapshot);
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByRole('button', { name: 'Add tag' }).click();
    await row(page, 'Tag 1').getByLabel('Key').fill('env');
    await row(page, 'Tag 1').getByLabel('Value').fill('prod');
    await row(page, 'Tag 2').getByLabel('Key').fill('removed');
    await row(page, 'Tag 3').getByLabel('Key').fill('team');
    await row(page, 'Tag 3').getByLabel('Value').fill('imaging');
    await page.getByRole('button', { name: 'Remove tag 2' }).click();
    assert.equal(await page.locator('#tags [data-row]').count(), 2);
    assert.equal(await row(page, 'Tag 2').getByLabel('Key').inputValue(), 'team', 'the rows are renumbered');
    await screenshot(page, 'instance-create');

    await page.getByRole('button', { name: 'Create instances' }).click();
    await page.waitForURL(/\/console\/instances\/i-/);
    instanceId = await page.locator('#instance-id').innerText();
    assert.match(await page.locator('.notice').innerText(), new RegExp(`Instance ${instanceId} created \\(Stopped\\)`));
    const fromApi = await apiInstance();
    assert.equal(fromApi.ImageId, image.ImageId);
    assert.equal(fromApi.InstanceType, 'ecs.g7.large');
    assert.equal(fromApi.Status, 'Stopped');
    assert.equal(fromApi.ZoneId, zone);
    assert.equal(fromApi.InstanceName, 'web-1');
    assert.equal(fromApi.Description, 'made in the console');
    const tags = fromApi.Tags.Tag.map((t) => `${t.TagKey}=${t.TagValue}`).sort();
    assert.deepEqual(tags, ['env=prod', 'team=imaging']);

    assert.equal(await page.locator('#instance-name').innerText(), 'web-1');
    assert.equal(await page.locator('#instance-status').innerText(), 'Stopped');
    assert.match(await page.locator('#instance-type').innerText(), /^ecs\.g7\.large/);
    assert.equal(await page.locator('#instance-image').innerText(), image.ImageId);
    assert.equal(await page.locator('#instance-zone').innerText(), zone);
    assert.equal(await page.locator('#instance-description').innerText(), 'made in the console');
    const shownTags = await page.locator('#instance-tags li').evaluateAll((items) => items.map((i) => i.textContent.trim()));
    assert.deepEqual(shownTags, ['env: prod', 'team: imaging']);

    const disks = (await api('DescribeDisks', { InstanceId: instanceId })).Disks.Disk;
    const shown = await page.locator('#disks tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.diskId));
    assert.deepEqual(shown.sort(), disks.map((d) => d.DiskId).sort());
    assert.equal(disks.length, 3);
    assert.equal(disks.find((d) => d.Type === 'system').Size, 40);
    const data = disks.filter((d) => d.Type === 'data').sort((a, b) => a.Device.localeCompare(b.Device));
    assert.deepEqual(data.map((d) => [d.Size, d.Category, d.DeleteWithInstance, d.SourceSnapshotId, d.ZoneId]),
      [[30, 'cloud_essd', false, '', zone], [20, 'cloud_efficiency', true, fromSnapshot, zone]]);
    for (const disk of disks) {
      assert.deepEqual(disk.Tags.Tag.map((t) => `${t.TagKey}=${t.TagValue}`).sort(), tags, `the tags are on ${disk.DiskId} too`);
      const cells = await page.locator(`#disks tr[data-disk-id="${disk.DiskId}"] td`).allInnerTexts();
      assert.ok(cells.includes(`${disk.Size} GiB`) && cells.includes(disk.Category) && cells.includes(disk.DeleteWithInstance ? 'Yes' : 'No'),
        `${disk.DiskId}: ${cells.join(' | ')}`);
    }
    assert.ok((await page.locator(`#disks tr[data-disk-id="${data[1].DiskId}"]`).innerText()).includes(fromSnapshot));
    await screenshot(page, 'instance');
  });

  it('refuses a data disk too large and a zone not in the region with the API\'s messages, next to the form, keeping the values', async () => {
    const image = (await apiInstance()).ImageId;
    const tooLarge = await apiRefusal(api('CreateInstance', { ImageId: image, InstanceType: 'ecs.g7.large', 'DataDisk.1.Size': '40000' }));
    await page.goto(`${service.url}/console/instances/create`);
    await page.getByLabel('Image', { exact: true }).selectOption(image);
    await page.getByLabel('Instance name (optional)').fill('too-large');
    await row(page, 'Data disk 1').getByLabel('Size (GiB)').fill('40000');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Create instances' }).click()]);
    await page.waitForLoadState();
    assert.equal(response.status(), 400);
    assert.equal(await page.locator('.refusal').innerText(), `${tooLarge.message} (${tooLarge.code})`);
    assert.match(tooLarge.code, /InvalidDataDiskSize/);
    assert.equal(await row(page, 'Data disk 1').getByLabel('Size (GiB)').inputValue(), '40000');
    assert.equal(await page.getByLabel('Instance name (optional)').inputValue(), 'too-large');

    const badZone = await apiRefusal(api('CreateInstance', { ImageId: image, InstanceType: 'ecs.g7.large', ZoneId: 'cn-hangzhou-z' }));
    await row(page, 'Data disk 1').getByLabel('Size (GiB)').fill('');
    await page.getByLabel('Zone').evaluate((select) => { select.options[0].value = 'cn-hangzhou-z'; select.selectedIndex = 0; });
    await page.getByRole('button', { name: 'Create instances' }).click();
    await page.waitForLoadState();
    assert.equal(await page.locator('.refusal').innerText(), `${badZone.message} (${badZone.code})`);
    assert.match(badZone.code, /InvalidZoneId/);
    const named = (await api('DescribeInstances', { InstanceName: 'too-large' })).Instances.Instance;
    assert.equal(named.length, 0, 'nothing was created');
  });

  it('without script the form has fixed rows; blank rows add nothing, and a number of instances are created', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    const plain = await context.newPage();
    await signIn(plain, service, service.accounts.alice);
    const image = (await apiInstance()).ImageId;
    await plain.goto(`${service.url}/console/instances/create`);
    assert.equal(await plain.locator('#data-disks [data-row]').count(), 4);
    assert.equal(await plain.locator('#tags [data-row]').count(), 4);
    assert.equal(await plain.getByRole('button', { name: 'Add data disk' }).count(), 0);
    await plain.getByLabel('Image', { exact: true }).selectOption(image);
    await plain.getByLabel('Instance name (optional)').fill('plain');
    await row(plain, 'Data disk 1').getByLabel('Size (GiB)').fill('25');
    await row(plain, 'Data disk 3').getByLabel('Size (GiB)').fill('50');
    await row(plain, 'Data disk 3').getByLabel('Category').selectOption('cloud_ssd');
    await row(plain, 'Tag 2').getByLabel('Key').fill('owner');
    await row(plain, 'Tag 2').getByLabel('Value').fill('alice');
    await row(plain, 'Tag 4').getByLabel('Key').fill('plain');
    await plain.getByLabel('Number of instances').fill('2');
    await screenshot(plain, 'instance-create-noscript');
    await plain.getByRole('button', { name: 'Create instances' }).click();
    await plain.waitForURL(/\/console\/instances$/);
    const ids = /2 instances created \(Stopped\): (\S+), (\S+)\./.exec(await plain.locator('.notice').innerText())?.slice(1);
    assert.ok(ids, await plain.locator('main').innerText());
    const made = (await api('DescribeInstances', { InstanceIds: JSON.stringify(ids) })).Instances.Instance;
    assert.equal(made.length, 2);
    for (const instance of made) {
      assert.equal(instance.InstanceName, 'plain');
      assert.equal(instance.Status, 'Stopped');
      assert.deepEqual(instance.Tags.Tag.map((t) => `${t.TagKey}=${t.TagValue}`).sort(), ['owner=alice', 'plain=']);
      const data = (await api('DescribeDisks', { InstanceId: instance.InstanceId, DiskType: 'data' })).Disks.Disk
        .sort((a, b) => a.Device.localeCompare(b.Device));
      assert.deepEqual(data.map((d) => [d.Size, d.Category]), [[25, 'cloud_efficiency'], [50, 'cloud_ssd']]);
    }
    await context.close();
  });

  it('hostile create form values are refused with the API\'s messages (400), never errors, and create nothing', async () => {
    const image = (await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux', Architecture: 'x86_64' })).Images.Image[0].ImageId;
    const before = (await api('DescribeInstances', {})).TotalCount;
    await page.goto(`${service.url}/console/instances/create?imageId=${'m'.repeat(500)}`);
    assert.equal(await page.getByLabel('Image', { exact: true }).locator('option[value^="mmm"]').count(), 0, 'an overlong image id is dropped');
    const token = await page.locator('#create-instances input[name="__csrf"]').inputValue();
    const post = (fields) => page.request.post(`${service.url}/console/instances/create`,
      { form: { __csrf: token, ImageId: image, InstanceType: 'ecs.g7.large', ...fields } });
    const many = (n, make) => Object.assign({}, ...Array.from({ length: n }, (_, i) => make(i)));
    for (const [fields, expected] of [
      [{ 'DataDisks[0].Size': 'abc' }, 'The specified parameter "DataDisk.1.Size" is not valid. It must be an integer. (InvalidParameter)'],
      [{ 'DataDisks[1].Size': '-5' }, 'The specified parameter "DataDisk.2.Size" is not valid. It must be an integer. (InvalidParameter)'],
      [{ 'DataDisks[0].Size': '20', 'DataDisks[0].Category': 'floppy' }, /InvalidDataDiskCategory/],
      [{ 'DataDisks[0].SnapshotId': 's-nope' }, /InvalidDataDiskSnapshotId\.NotFound/],
      [many(17, (i) => ({ [`DataDisks[${i}].Size`]: '20' })), /At most 16 data disks/],
      [many(21, (i) => ({ [`Tags[${i}].Key`]: `k${i}` })), /At most 20 tags/],
      [{ 'Tags[2].Value': 'orphan' }, /"Tag\.3\.Key".*\(MissingParameter\)/],
      [{ 'Tags[0].Key': 'acs:reserved' }, /InvalidTagKey\.Malformed/],
      [{ 'Tags[0].Key': 'a', 'Tags[1].Key': 'a' }, /Duplicate\.TagKey/],
      [{ Amount: '0' }, /"Amount"/],
      [{ Amount: '101' }, /"Amount"/],
      [{ Amount: 'abc' }, 'The specified parameter "Amount" is not valid. It must be an integer from 1 to 100. (InvalidParameter)'],
      [{ SystemDiskSize: '1e3' }, 'The specified parameter "SystemDisk.Size" is not valid. It must be an integer from 1 to 2147483647. (InvalidParameter)'],
      [{ ZoneId: 'cn-hangzhou-h\u0001' }, /InvalidZoneId/],
      [{ SystemDiskCategory: 'tape' }, /InvalidSystemDiskCategory/],
      [{ InstanceName: 'x'.repeat(129) }, /InvalidInstanceName\.Malformed/],
      [{ ImageId: '' }, /"ImageId".*\(MissingParameter\)/],
    ]) {
      const response = await post(fields);
      assert.equal(response.status(), 400, JSON.stringify(fields).slice(0, 200));
      const html = await response.text();
      const refusal = /<p class="refusal" role="alert">([^<]*)<\/p>/.exec(html)?.[1]?.replaceAll('&quot;', '"');
      assert.ok(refusal, JSON.stringify(fields).slice(0, 200));
      if (typeof expected === 'string') assert.equal(refusal, expected);
      else assert.match(refusal, expected);
    }
    // A NUL anywhere in the form fails the form's antiforgery check before the page runs: the readable 400 page of
    // a refused form (no browser sends one; nothing changes).
    const nul = await post({ ZoneId: '\u0000' });
    assert.equal(nul.status(), 400);
    assert.match(await nul.text(), /<h1>Form out of date<\/h1>/);
    assert.equal((await api('DescribeInstances', {})).TotalCount, before, 'nothing was created');
  });

  it('an image page\'s "Create instance" opens the same form with the image chosen', async () => {
    const image = (await apiInstance()).ImageId;
    await page.goto(`${service.url}/console/images/${image}`);
    await page.getByRole('link', { name: 'Create instance', exact: true }).click();
    await page.waitForURL(/\/console\/instances\/create\?imageId=/);
    assert.equal(await page.getByLabel('Image', { exact: true }).inputValue(), image);
    await page.getByLabel('Start at once (otherwise created Stopped)').check();
    await page.getByRole('button', { name: 'Create instances' }).click();
    await page.waitForURL(/\/console\/instances\/i-/);
    const id = await page.locator('#instance-id').innerText();
    const made = (await api('DescribeInstances', { InstanceIds: JSON.stringify([id]) })).Instances.Instance[0];
    assert.equal(made.ImageId, image);
    assert.equal(made.Status, 'Running', 'started at once, as RunInstances does');
    await api('StopInstance', { InstanceId: id });
    await until(async () => (await api('DescribeInstances', { InstanceIds: JSON.stringify([id]) })).Instances.Instance[0].Status === 'Stopped', 'stopped');
    await api('DeleteInstance', { InstanceId: id });
    await page.goto(`${service.url}/console/instances/${instanceId}`);
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
    for (const url of [`/console/instances/${instanceId}`, '/console/instances', '/console/instances/create', '/console/snapshots', '/console/tasks', '/console/billing']) {
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

  it('the instance page and the Create instances form are readable at 390 px without horizontal scrolling', async () => {
    const narrow = await newPage(browser, { width: 390, height: 844 });
    await signIn(narrow, service, service.accounts.alice);
    for (const [url, name] of [[`/console/instances/${instanceId}`, 'instance-390'], ['/console/instances/create', 'instance-create-390']]) {
      await narrow.goto(`${service.url}${url}`);
      await screenshot(narrow, name);
      const wide = await narrow.evaluate(() => [...document.querySelectorAll('main *')]
        .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth && !e.closest('.table-wrap'))
        .map((e) => `${e.tagName}#${e.id}.${e.className}`));
      const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${url} scrolls by ${overflow}px: ${wide.join(', ')}`);
    }
    await narrow.context().close();
  });

});
