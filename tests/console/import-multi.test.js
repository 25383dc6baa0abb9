'use strict';
// Import of a system disk plus data disks from the console, with script and without it. Two files made with
// qemu-img (a qcow2 system disk and a raw data disk, a few MiB of known bytes) are uploaded from the browser, each
// with its own bar, and imported as one image: the page shows both disks and the import until Available, and
// DescribeImages reports both mappings; the data disk's bytes are read back over NBD from an instance of the image.
// Without script, the same form posts multipart/form-data, streamed into the bucket, and the image page refreshes
// itself until Available. A refusal in the multi-disk form shows the API's message; the streamed POST needs its
// antiforgery token as the first part.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startService, popClient, adminCommand, until } = require('../sdk/harness');
const { launch, signIn, screenshot, waitForStatus } = require('./browser');
const { watchUploads } = require('./import-watch');
const { apiRefusal } = require('./refusal');

const REGION = 'cn-hangzhou';
const BUCKET = 'multi-uploads';
const ALL_STATUSES = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';

describe('multi-disk import from the console', () => {
  let service;
  let browser;
  let alice;
  let systemQcow2;
  let dataRaw;

  before(async () => {
    service = await startService();
    alice = popClient(service, service.accounts.alice);
    adminCommand(service, ['bucket', 'create', '--region', REGION, BUCKET]);
    systemQcow2 = path.join(service.dataDir, 'system.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', systemQcow2, '16M']);
    for (const c of ['write -P 0x5a 0 1M', 'write -P 0xa5 8M 256k']) execFileSync('qemu-io', ['-f', 'qcow2', '-c', c, systemQcow2]);
    dataRaw = path.join(service.dataDir, 'data.raw');
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', dataRaw, '4M']);
    for (const c of ['write -P 0x11 0 512k', 'write -P 0x77 3M 1M']) execFileSync('qemu-io', ['-f', 'raw', '-c', c, dataRaw]);
    browser = await launch();
  });

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
  });

  function api(action, params) {
    return alice.request(action, { RegionId: REGION, ...params }, { method: 'POST' });
  }

  /** A signed-in page of its own context; `javaScriptEnabled: false` is a browser with script off. */
  async function signedInPage(javaScriptEnabled = true) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await signIn(page, service, service.accounts.alice);
    await page.goto(`${service.url}/console/images/import?region=${REGION}`);
    return page;
  }

  /** Fills one disk row: its file (or none: an object already in the bucket), object name, format and size. */
  async function fillDisk(page, i, { file, key, format = '', size = '' }) {
    const row = page.locator(`#disk-${i}`);
    if (file) await row.getByLabel('File', { exact: true }).setInputFiles(file);
    await row.getByLabel('Object name', { exact: true }).fill(key);
    await row.getByLabel('Format', { exact: true }).selectOption(format);
    await row.getByLabel('Size (GiB)', { exact: true }).fill(size);
  }

  function bucketObject(key) {
    const stored = path.join(service.dataDir, `got-${key}`);
    adminCommand(service, ['bucket', 'get', '--region', REGION, BUCKET, key, stored]);
    return fs.readFileSync(stored);
  }

  const noticeIds = async (page) => (await page.locator('.notice').innerText()).match(/^Importing as image (\S+) \(task (\S+)\)\.$/).slice(1);

  const diskRows = (page) => page.locator('#disks tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));

  it('imports a qcow2 system disk and a raw data disk, each uploaded with its own bar, to one image', async () => {
    const page = await signedInPage();
    // Data-disk rows come and go with script: one added and removed, the form keeps system + 2 rows.
    await page.getByRole('button', { name: 'Add data disk' }).click();
    assert.equal(await page.locator('fieldset[data-disk]').count(), 4);
    assert.equal(await page.locator('#disk-3 legend').innerText(), 'Data disk 3');
    await page.getByRole('button', { name: 'Remove data disk 3' }).click();
    assert.equal(await page.locator('fieldset[data-disk]').count(), 3);

    await page.getByLabel('Image name', { exact: true }).fill('multi');
    await fillDisk(page, 0, { file: systemQcow2, key: 'multi-system.qcow2', format: 'QCOW2' });
    await fillDisk(page, 1, { file: dataRaw, key: 'multi-data.raw', format: 'RAW', size: '2' });
    await screenshot(page, 'image-import-multi');
    const uploads = await watchUploads(page, async () => {
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.waitForURL(/\/console\/images\/m-/);
    });
    assert.deepEqual(uploads, {
      'disk-0': { value: 100, outcome: `Uploaded multi-system.qcow2 (${fs.statSync(systemQcow2).size} bytes) into ${BUCKET}.` },
      'disk-1': { value: 100, outcome: `Uploaded multi-data.raw (${fs.statSync(dataRaw).size} bytes) into ${BUCKET}.` },
    });
    assert.ok(bucketObject('multi-system.qcow2').equals(fs.readFileSync(systemQcow2)));
    assert.ok(bucketObject('multi-data.raw').equals(fs.readFileSync(dataRaw)));

    const [imageId, taskId] = await noticeIds(page);
    await waitForStatus(page, 'Available');
    await screenshot(page, 'image-imported-multi');
    const image = (await api('DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0];
    assert.equal(image.ImageName, 'multi');
    const mappings = image.DiskDeviceMappings.DiskDeviceMapping;
    assert.deepEqual(mappings.map((m) => [m.Type, m.Device, m.Size, m.Format, m.ImportOSSObject, m.Progress]), [
      ['system', '/dev/xvda', '1', 'QCOW2', 'multi-system.qcow2', '100%'],
      ['data', '/dev/xvdb', '2', 'RAW', 'multi-data.raw', '100%'],
    ]);
    // The page shows both disks as the API does: device, type, size, snapshot, progress, and no time left.
    assert.deepEqual(await diskRows(page), mappings.map((m) => [m.Device, m.Type, `${m.Size} GiB`, m.SnapshotId, '100%', '—']));
    assert.equal((await api('DescribeTaskAttribute', { TaskId: taskId })).TaskStatus, 'Finished');

    // The data disk holds the raw file's bytes: an instance of the image gets it as its data disk, read over NBD.
    const run = await api('RunInstances', { ImageId: imageId, InstanceType: 'ecs.g7.large' });
    const instanceId = run.InstanceIdSets.InstanceIdSet[0];
    const disks = (await api('DescribeDisks', { InstanceId: instanceId })).Disks.Disk;
    const data = disks.find((d) => d.Type === 'data');
    assert.ok(data, 'the instance has the image\'s data disk');
    assert.equal(data.Size, 2);
    execFileSync('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', dataRaw, `nbd://127.0.0.1:${service.nbdPort}/${data.DiskId}`],
      { timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    await api('DeleteInstance', { InstanceId: instanceId, Force: 'true' });
    await page.context().close();
  });

  it('without script, the form streams the upload, imports, and the image page refreshes itself until Available', async () => {
    const page = await signedInPage(false);
    // No script: no bars, no add/remove buttons; the fixed rows are the system disk and two optional data disks.
    assert.equal(await page.locator('fieldset[data-disk]').count(), 3);
    assert.equal(await page.getByRole('button', { name: 'Add data disk' }).count(), 0);
    assert.equal(await page.locator('#import').getAttribute('enctype'), 'multipart/form-data');
    await page.getByLabel('Image name', { exact: true }).fill('no-script');
    await fillDisk(page, 0, { file: systemQcow2, key: 'noscript-system.qcow2' });
    // The second disk is the data object the first test uploaded, already in the bucket: no file.
    await fillDisk(page, 2, { key: 'multi-data.raw', format: 'RAW' });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL(/\/console\/images\/m-/);
    const [imageId] = await noticeIds(page);
    const firstShown = await page.locator('#image-status').innerText();
    const refreshes = await page.locator('noscript').evaluateAll((n) => n.map((e) => e.innerHTML));
    assert.ok(bucketObject('noscript-system.qcow2').equals(fs.readFileSync(systemQcow2)), 'the streamed object equals the file');

    // Nothing here reloads the page: while Creating it carries a <noscript> refresh, and it ends Available.
    const loads = [];
    page.on('load', () => loads.push(page.url()));
    const shown = await until(async () => {
      const status = await page.locator('#image-status').innerText().catch(() => '');
      return ['Available', 'CreateFailed'].includes(status) ? status : null;
    }, `${imageId} shown Available`, { timeoutMs: 60_000, intervalMs: 200 });
    assert.equal(shown, 'Available');
    if (firstShown !== 'Available') {
      // It was still working when first shown (the usual case): the refresh is what brought the outcome.
      assert.deepEqual(refreshes, ['<meta http-equiv="refresh" content="2">']);
      assert.ok(loads.length >= 1, 'the page reloaded itself');
    }
    assert.equal(await page.locator('noscript').count(), 0, 'an Available image\'s page no longer refreshes');
    const image = (await api('DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0];
    assert.equal(image.Status, 'Available');
    assert.equal(image.ImageName, 'no-script');
    assert.deepEqual(image.DiskDeviceMappings.DiskDeviceMapping.map((m) => [m.Type, m.ImportOSSObject]),
      [['system', 'noscript-system.qcow2'], ['data', 'multi-data.raw']]);
    assert.deepEqual((await diskRows(page)).map((r) => r[1]), ['system', 'data']);
    await page.context().close();
  });

  it('a data disk naming a missing object, then one of a malformed size, is refused with the API\'s message; the uploaded system disk stays named', async () => {
    const page = await signedInPage();
    await fillDisk(page, 0, { file: dataRaw, key: 'refused-system.raw' });
    await fillDisk(page, 1, { key: 'no-such-object.raw' });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('.refusal').waitFor();
    const fromApi = await apiRefusal(api('ImportImage', {
      'DiskDeviceMapping.1.OSSBucket': BUCKET, 'DiskDeviceMapping.1.OSSObject': 'refused-system.raw',
      'DiskDeviceMapping.2.OSSBucket': BUCKET, 'DiskDeviceMapping.2.OSSObject': 'no-such-object.raw',
    }));
    assert.equal(fromApi.code, 'InvalidOSSObject.NotFound');
    assert.equal(await page.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);
    assert.equal(await page.locator('#disk-0').getByLabel('Object name', { exact: true }).inputValue(), 'refused-system.raw');
    assert.equal(await page.locator('#disk-1').getByLabel('Object name', { exact: true }).inputValue(), 'no-such-object.raw');
    await screenshot(page, 'image-import-multi-refused');

    // Sent again as shown (no file: the system row names its uploaded object), with a malformed data disk size.
    await fillDisk(page, 1, { key: 'refused-system.raw', size: '0' });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('.refusal', { hasText: 'DiskImageSize' }).waitFor();
    const sizeFromApi = await apiRefusal(api('ImportImage', {
      'DiskDeviceMapping.1.OSSBucket': BUCKET, 'DiskDeviceMapping.1.OSSObject': 'refused-system.raw',
      'DiskDeviceMapping.2.OSSBucket': BUCKET, 'DiskDeviceMapping.2.OSSObject': 'refused-system.raw', 'DiskDeviceMapping.2.DiskImageSize': '0',
    }));
    assert.equal(sizeFromApi.code, 'InvalidDataDiskSize');
    assert.equal(await page.locator('.refusal').innerText(), `${sizeFromApi.message} (${sizeFromApi.code})`);
    await page.context().close();
  });

  it('offers at most the data disks an image holds; more sent anyway are refused with ImportImage\'s message', async () => {
    const page = await signedInPage();
    const add = page.getByRole('button', { name: 'Add data disk' });
    for (let rows = 3; rows < 17; rows++) await add.click();
    assert.equal(await page.locator('fieldset[data-disk]').count(), 17);
    assert.equal(await add.isHidden(), true, 'no 17th data disk');
    // A forged 17th data disk: the import is the API's refusal, shown above the form.
    await page.locator('#disk-16').evaluate((row) => {
      const copy = row.cloneNode(true);
      for (const el of copy.querySelectorAll('[name]')) el.name = el.name.replace('Disks[16]', 'Disks[17]');
      for (const el of copy.querySelectorAll('[id]')) el.id = el.id.replace('disk-16', 'disk-17');
      for (const el of copy.querySelectorAll('label[for]')) el.htmlFor = el.htmlFor.replace('disk-16', 'disk-17');
      copy.id = 'disk-17';
      row.after(copy);
    });
    await page.getByLabel('Image name', { exact: true }).fill('too-many');
    for (let i = 0; i < 18; i++) await page.locator(`#disk-${i}`).getByLabel('Object name', { exact: true }).fill('multi-data.raw');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('.refusal').waitFor();
    // The API ignores DiskDeviceMapping.N above 17 (reference); the console sends every row it has, so ImportImage's
    // service refuses the 17th data disk instead of dropping it silently.
    assert.match(await page.locator('.refusal').innerText(), /at most 16 data disks.*\(InvalidParameter\)$/);
    assert.equal((await api('DescribeImages', { ImageName: 'too-many', Status: ALL_STATUSES })).Images.Image.length, 0);
    await page.context().close();
  });

  it('the streamed POST validates its antiforgery token, the first part, before storing anything', async () => {
    const page = await signedInPage();
    const token = await page.locator('#import input[name="__csrf"]').inputValue();
    const url = `${service.url}/console/images/import/stream?region=${REGION}`;
    const file = (name) => ({ name, mimeType: 'application/octet-stream', buffer: fs.readFileSync(dataRaw) });
    const post = (multipart) => page.request.post(url, { multipart, maxRedirects: 0 });
    const forged = async (multipart, key) => {
      const response = await post(multipart);
      assert.equal(response.status(), 400);
      assert.doesNotMatch(adminCommand(service, ['bucket', 'ls', '--region', REGION, BUCKET]), new RegExp(key.replace('.', '\\.')));
    };
    // No token; a token after the file; a wrong token.
    await forged({ 'Disks[0].Bucket': BUCKET, 'Disks[0].ObjectKey': 'forged-1.raw', 'Disks[0].File': file('a.raw') }, 'forged-1.raw');
    await forged({ 'Disks[0].Bucket': BUCKET, 'Disks[0].ObjectKey': 'forged-2.raw', 'Disks[0].File': file('b.raw'), __csrf: token }, 'forged-2.raw');
    await forged({ __csrf: `${token}x`, 'Disks[0].Bucket': BUCKET, 'Disks[0].ObjectKey': 'forged-3.raw', 'Disks[0].File': file('c.raw') }, 'forged-3.raw');
    // Not multipart at all: refused on the page with its message, nothing stored.
    const urlencoded = await page.request.post(url, { form: { __csrf: token, 'Disks[0].Bucket': BUCKET, 'Disks[0].ObjectKey': 'x' }, maxRedirects: 0 });
    assert.equal(urlencoded.status(), 400);

    // Hostile bodies after a good token: each is the page with its message (400), never an error page, nothing stored.
    const boundary = 'imago-hostile-boundary';
    const part = (name, value, filename) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${value}\r\n`;
    const raw = (body) => page.request.post(url, {
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, data: Buffer.from(body), maxRedirects: 0,
    });
    const hostile = [
      [part('__csrf', token) + part('ImageName', 'n'.repeat(5000)) + `--${boundary}--\r\n`, /longer than 4096 bytes/],
      [part('__csrf', token) + part('Disks[40].ObjectKey', 'x') + `--${boundary}--\r\n`, /more disk rows/],
      [part('__csrf', token) + part('ImageName', 'x', 'file.raw') + `--${boundary}--\r\n`, /file part of the form is not a disk/],
      [part('__csrf', token) + part('Disks[0].File', 'bytes', 'early.raw') + `--${boundary}--\r\n`, /before its bucket/],
      [part('__csrf', token) + part('Disks[0].Bucket', BUCKET) + `--${boundary}\r\nContent-Disposition: form-data; name="Disks[0].File"; filename="cut.raw"\r\n\r\nonly part of the`,
        /ended before the form did/],
    ];
    for (const [body, message] of hostile) {
      const response = await raw(body);
      assert.equal(response.status(), 400, `${message}`);
      assert.match(await response.text(), message);
    }
    assert.doesNotMatch(adminCommand(service, ['bucket', 'ls', '--region', REGION, BUCKET]), /early\.raw|cut\.raw/);

    // The token first: the file is stored under its own name and the import starts (a redirect to the image).
    const good = await post({ __csrf: token, ImageName: 'streamed', 'Disks[0].Bucket': BUCKET, 'Disks[0].ObjectKey': '', 'Disks[0].File': file('streamed.raw') });
    assert.equal(good.status(), 302);
    assert.match(good.headers().location, /^\/console\/images\/m-/);
    assert.ok(bucketObject('streamed.raw').equals(fs.readFileSync(dataRaw)));
    await page.context().close();
  });
});
