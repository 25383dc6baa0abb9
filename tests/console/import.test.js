'use strict';
// Import from the console: a small qcow2 made by qemu-img is uploaded from the browser into a bucket (the system
// disk's bar follows the upload; the object then equals the file), imported with Platform/OSType/Architecture/Format,
// and the image's page shows the import until Available, as DescribeImages reports it. Refusals carry the API's own message: the
// format VMDK (refused at once), and a VMDK file to detect (the import task fails; the page shows its reason).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startService, popClient, adminCommand } = require('../sdk/harness');
const { launch, newPage, signIn, screenshot, waitForStatus } = require('./browser');
const { watchUploads } = require('./import-watch');
const { apiRefusal } = require('./refusal');

const REGION = 'cn-hangzhou';
const BUCKET = 'console-uploads';
const ALL_STATUSES = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';

describe('import from the console', () => {
  let service;
  let browser;
  let page;
  let alice;
  let qcow2;
  let vmdk;

  before(async () => {
    service = await startService();
    alice = popClient(service, service.accounts.alice);
    adminCommand(service, ['bucket', 'create', '--region', REGION, BUCKET]);
    qcow2 = path.join(service.dataDir, 'disk.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '16M']);
    for (const c of ['write -P 0x3c 0 1M', 'write -P 0xc3 12M 512k']) execFileSync('qemu-io', ['-f', 'qcow2', '-c', c, qcow2]);
    vmdk = path.join(service.dataDir, 'disk.vmdk');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', vmdk, '16M']);
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


  /** Opens the import page from the Images page. */
  async function openImport() {
    await page.goto(`${service.url}/console/images?region=${REGION}`);
    await page.getByRole('link', { name: 'Import image' }).click();
    await page.waitForURL(/\/console\/images\/import/);
  }

  const disk = (i) => page.locator(`#disk-${i}`);

  /** Chooses the system disk's file and object name. */
  async function chooseSystem(file, key, format = '') {
    await disk(0).getByLabel('File', { exact: true }).setInputFiles(file);
    await disk(0).getByLabel('Object name', { exact: true }).fill(key);
    await disk(0).getByLabel('Format', { exact: true }).selectOption(format);
  }

  /** Clicks Import; answers what the system disk's row showed once its upload ended (bar and outcome). */
  async function importWatchingUploads() {
    const seen = await watchUploads(page, async () => {
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/console\/images\/m-/);
    });
    return seen['disk-0'];
  }

  it('uploads a qcow2 from the browser, imports it, and shows the image Creating then Available', async () => {
    await openImport();
    await page.getByLabel('Image name', { exact: true }).fill('uploaded');
    await page.getByLabel('Platform', { exact: true }).fill('Ubuntu');
    await page.getByLabel('OS type', { exact: true }).selectOption('linux');
    await page.getByLabel('Architecture', { exact: true }).selectOption('x86_64');
    await chooseSystem(qcow2, 'uploaded.qcow2', 'QCOW2');
    await screenshot(page, 'image-import');
    const uploaded = await importWatchingUploads();
    assert.deepEqual(uploaded, { value: 100, outcome: `Uploaded uploaded.qcow2 (${fs.statSync(qcow2).size} bytes) into ${BUCKET}.` });
    const stored = path.join(service.dataDir, 'stored.qcow2');
    adminCommand(service, ['bucket', 'get', '--region', REGION, BUCKET, 'uploaded.qcow2', stored]);
    assert.ok(fs.readFileSync(stored).equals(fs.readFileSync(qcow2)), 'the bucket object equals the uploaded file');

    const [, imageId, taskId] = (await page.locator('.notice').innerText()).match(/^Importing as image (\S+) \(task (\S+)\)\.$/);
    assert.equal(await page.locator('#image-id').innerText(), imageId);
    await waitForStatus(page, 'Available');
    await screenshot(page, 'image-imported');
    const image = (await api('DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0];
    assert.equal(image.Status, 'Available');
    assert.equal(image.ImageName, 'uploaded');
    assert.equal(image.Platform, 'Ubuntu');
    assert.equal(image.OSType, 'linux');
    assert.equal(image.Architecture, 'x86_64');
    assert.deepEqual(image.DiskDeviceMappings.DiskDeviceMapping.map((d) => [d.Type, d.Format, d.ImportOSSObject]), [['system', 'QCOW2', 'uploaded.qcow2']]);
    const task = await api('DescribeTaskAttribute', { TaskId: taskId });
    assert.equal(task.TaskAction, 'ImportImage');
    assert.equal(task.TaskStatus, 'Finished');
  });

  it('refuses the format VMDK with the API\'s message', async () => {
    await openImport();
    await chooseSystem(vmdk, 'disk.vmdk', 'VMDK');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('.refusal').waitFor();
    const fromApi = await apiRefusal(api('ImportImage', {
      'DiskDeviceMapping.1.OSSBucket': BUCKET, 'DiskDeviceMapping.1.OSSObject': 'disk.vmdk', 'DiskDeviceMapping.1.Format': 'VMDK',
    }));
    assert.equal(fromApi.code, 'InvalidImageFormat.Malformed');
    assert.equal(await page.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);
    // The form keeps what was sent: the uploaded object is named, so sending again needs no new upload.
    assert.equal(await disk(0).getByLabel('Object name', { exact: true }).inputValue(), 'disk.vmdk');
    assert.equal(await disk(0).getByLabel('Format', { exact: true }).inputValue(), 'VMDK');
    await screenshot(page, 'image-import-refused');
  });

  it('a VMDK file to detect fails its import task, and the image page shows the task\'s reason', async () => {
    await openImport();
    await chooseSystem(vmdk, 'detect.vmdk');
    await page.getByLabel('Image name', { exact: true }).fill('vmdk-detected');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL(/\/console\/images\/m-/);
    const [, imageId, taskId] = (await page.locator('.notice').innerText()).match(/^Importing as image (\S+) \(task (\S+)\)\.$/);
    await waitForStatus(page, 'CreateFailed');
    const task = await api('DescribeTaskAttribute', { TaskId: taskId });
    assert.equal(task.TaskStatus, 'Failed');
    const reason = (await api('DescribeTasks', { TaskIds: taskId })).TaskSet.Task[0].FailedReason;
    assert.match(reason, /VMDK|vmdk/);
    assert.equal(await page.locator('#image-failure').innerText(), reason);
    assert.equal((await api('DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0].Status, 'CreateFailed');
  });

  it('refuses an upload into another account\'s bucket', async () => {
    adminCommand(service, ['bucket', 'create', '--region', REGION, '--owner', String(service.accounts.bob.AccountId), 'bobs-bucket']);
    await page.goto(`${service.url}/console/images/import?region=${REGION}`);
    const bucketSelect = disk(0).getByLabel('Bucket', { exact: true });
    const offered = await bucketSelect.locator('option').evaluateAll((options) => options.map((o) => o.value));
    assert.deepEqual(offered, [BUCKET]);
    await bucketSelect.evaluate((select) => select.add(new Option('bobs-bucket', 'bobs-bucket'), null));
    await bucketSelect.selectOption('bobs-bucket');
    await disk(0).getByLabel('File', { exact: true }).setInputFiles(qcow2);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await disk(0).locator('.disk-outcome', { hasText: /NotFound/ }).waitFor();
    assert.match(await disk(0).locator('.disk-outcome').innerText(), /bobs-bucket/);
    assert.match(page.url(), /\/console\/images\/import/, 'no import was sent');
  });

  it('an upload with a malformed object name or without the antiforgery token stores nothing', async () => {
    await page.goto(`${service.url}/console/images/import?region=${REGION}`);
    const token = await page.locator('#import input[name="__csrf"]').inputValue();
    const url = (key) => `${service.url}/console/images/import?handler=Upload&region=${REGION}&bucket=${BUCKET}&key=${encodeURIComponent(key)}`;
    const headers = { 'Content-Type': 'application/octet-stream', RequestVerificationToken: token };
    const badKey = await page.request.post(url('x'.repeat(1100)), { headers, data: Buffer.from('abc') });
    assert.equal(badKey.status(), 400);
    assert.match((await badKey.json()).message, /InvalidObjectName|object name/i);
    const forged = await page.request.post(url('forged.bin'), { headers: { 'Content-Type': 'application/octet-stream' }, data: Buffer.from('abc') });
    assert.equal(forged.status(), 400);
    const listed = adminCommand(service, ['bucket', 'ls', '--region', REGION, BUCKET]);
    assert.doesNotMatch(listed, /forged\.bin/);
  });
});
