'use strict';
// CopyImage with the official SDK against a real `imago serve --transfer-rate 4` (4 MiB/s, so transfers take seconds):
// an imported image (32 MiB of random bytes) is copied to another region while its Progress, its disk mapping's
// Progress/RemainTime and its CopyImage task are polled; a copy is cancelled (it disappears, the source stays); and
// the service is killed with SIGKILL in the middle of an import and in the middle of a copy, started again on the
// same data dir, and both finish Available with the right bytes (read back over NBD with `qemu-img compare`).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Ecs, startService, ecsClient, until, adminCommand } = require('./harness');

const SOURCE = 'cn-hangzhou';
const DESTINATION = 'cn-shanghai';
const THIRD = 'ap-southeast-1';
const MiB = 1024 * 1024;

describe('CopyImage and CancelCopyImage with @alicloud/ecs20140526', () => {
  let service;
  let client;
  let original; // the raw file imported: the bytes every copy must hold
  let sourceImage;

  before(async () => {
    service = await startService({ serveArgs: ['--transfer-rate', '4'] });
    client = ecsClient(service, service.accounts.alice);
    original = path.join(service.dataDir, 'random.raw');
    fs.writeFileSync(original, crypto.randomBytes(32 * MiB));
    adminCommand(service, ['bucket', 'create', '--region', SOURCE, 'images']);
    adminCommand(service, ['bucket', 'put', '--region', SOURCE, 'images', 'random.raw', original]);
  });

  after(async () => {
    if (service) await service.stop();
  });

  const image = async (regionId, imageId) => (await client.describeImages(new Ecs.DescribeImagesRequest({
    regionId, imageId, status: 'Creating,Waiting,Available,CreateFailed',
  }))).body.images.image[0];

  const percent = (text) => Number.parseInt(text, 10);

  /** Polls until the image's Progress is strictly between 0 and 100 (a transfer in the middle); returns the view. */
  const midway = (regionId, imageId, min = 1) => until(async () => {
    const i = await image(regionId, imageId);
    return i && ['Creating'].includes(i.status) && percent(i.progress) >= min && percent(i.progress) <= 99 ? i : null;
  }, `${imageId} in the middle of its transfer`, { intervalMs: 50 });

  const available = (regionId, imageId) => until(async () => {
    const i = await image(regionId, imageId);
    assert.ok(i, `${imageId} is not listed in ${regionId}`);
    assert.notEqual(i.status, 'CreateFailed', `${imageId} failed`);
    return i.status === 'Available' ? i : null;
  }, `${imageId} Available`, { timeoutMs: 120_000 });

  /** Launches an instance of the image and compares its system disk, over NBD, with the original file. */
  const assertBytes = async (regionId, imageId) => {
    const run = await client.runInstances(new Ecs.RunInstancesRequest({ regionId, imageId, instanceType: 'ecs.g7.large' }));
    const instanceId = run.body.instanceIdSets.instanceIdSet[0];
    const disks = (await client.describeDisks(new Ecs.DescribeDisksRequest({ regionId, instanceId }))).body.disks.disk;
    // The disk is 1 GiB, the file 32 MiB: compare checks the rest of the disk is zeros.
    execFileSync('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', original, `nbd://127.0.0.1:${service.nbdPort}/${disks[0].diskId}`],
      { timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
    await client.deleteInstance(new Ecs.DeleteInstanceRequest({ instanceId, force: true }));
  };

  const copy = async (imageId, destinationRegionId, name) => (await client.copyImage(new Ecs.CopyImageRequest({
    regionId: SOURCE, imageId, destinationRegionId, destinationImageName: name,
    tag: [new Ecs.CopyImageRequestTag({ key: 'purpose', value: 'sdk-test' })],
  }))).body.imageId;

  const metric = async (name) => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : Number.NaN;
  };

  it('an import survives SIGKILL in the middle and finishes with the right bytes after the restart', async () => {
    const res = (await client.importImage(new Ecs.ImportImageRequest({
      regionId: SOURCE,
      imageName: 'random-source',
      diskDeviceMapping: [new Ecs.ImportImageRequestDiskDeviceMapping({ OSSBucket: 'images', OSSObject: 'random.raw', format: 'RAW' })],
    }))).body;
    await midway(SOURCE, res.imageId);
    await service.restart(); // SIGKILL, then imago serve again on the same data dir
    const imported = await available(SOURCE, res.imageId);
    assert.equal(imported.progress, '100%');
    await until(async () => (await client.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({ regionId: SOURCE, taskId: res.taskId })))
      .body.taskStatus === 'Finished', 'ImportImage task Finished');
    await assertBytes(SOURCE, res.imageId);
    sourceImage = res.imageId;
  });

  it('copies across regions with Progress, RemainTime and the CopyImage task moving, then the copy holds the same bytes', async () => {
    assert.ok(sourceImage, 'the import test ran first');
    const copyId = await copy(sourceImage, DESTINATION, 'random-copy');
    assert.match(copyId, /^m-/);
    assert.notEqual(copyId, sourceImage);

    const seen = new Set();
    let remainSeen = false;
    const view = await until(async () => {
      const i = await image(DESTINATION, copyId);
      assert.ok(i, 'the copy is listed in the destination region at once');
      assert.equal(i.isCopied, true);
      seen.add(i.progress);
      const mapping = i.diskDeviceMappings.diskDeviceMapping[0];
      if (i.status === 'Creating' && mapping.remainTime > 0) remainSeen = true;
      return i.status === 'Available' ? i : null;
    }, 'copy Available', { intervalMs: 100, timeoutMs: 120_000 });
    assert.ok([...seen].some((p) => percent(p) > 0 && percent(p) < 100), `progress seen: ${[...seen].join(', ')}`);
    assert.ok(remainSeen, 'RemainTime was shown while copying');
    assert.equal(view.progress, '100%');
    assert.equal(view.imageName, 'random-copy');
    assert.deepEqual(view.tags.tag.map((t) => [t.tagKey, t.tagValue]), [['purpose', 'sdk-test']]);
    assert.match(view.diskDeviceMappings.diskDeviceMapping[0].snapshotId, /^s-/);

    // The task is marked Finished just after the image turns Available.
    const task = await until(async () => {
      const tasks = (await client.describeTasks(new Ecs.DescribeTasksRequest({ regionId: DESTINATION, taskAction: 'CopyImage' }))).body.taskSet.task;
      const t = tasks.find((x) => x.resourceId === copyId);
      return t && t.taskStatus === 'Finished' ? t : null;
    }, 'CopyImage task Finished');
    const attribute = (await client.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({ regionId: DESTINATION, taskId: task.taskId }))).body;
    assert.equal(attribute.taskProcess, '100%');
    assert.ok(await metric('imago_copy_bytes_sent_total') >= 32 * MiB);
    await assertBytes(DESTINATION, copyId);
  });

  it('cancels a copy in progress: the copy disappears and the source stays Available', async () => {
    const copyId = await copy(sourceImage, THIRD, 'cancelled-copy');
    await midway(THIRD, copyId);
    await client.cancelCopyImage(new Ecs.CancelCopyImageRequest({ regionId: THIRD, imageId: copyId }));
    assert.equal(await image(THIRD, copyId), undefined);
    assert.equal((await image(SOURCE, sourceImage)).status, 'Available');
    await assert.rejects(client.cancelCopyImage(new Ecs.CancelCopyImageRequest({ regionId: THIRD, imageId: copyId })),
      (e) => e.code === 'InvalidImageId.NotFound' && e.statusCode === 404);
    await assert.rejects(client.cancelCopyImage(new Ecs.CancelCopyImageRequest({ regionId: SOURCE, imageId: sourceImage })),
      (e) => e.code === 'ImageCreatedNotFromCopy' && e.statusCode === 400);
  });

  it('a copy survives SIGKILL in the middle, resumes without resending what arrived, and holds the right bytes', async () => {
    const copyId = await copy(sourceImage, THIRD, 'restarted-copy');
    await midway(THIRD, copyId, 50);
    await service.restart();
    const done = await available(THIRD, copyId);
    assert.equal(done.isCopied, true);
    // The restarted process counts only its own transfer: what arrived before the kill was skipped, not resent.
    assert.ok(await metric('imago_copy_chunks_skipped_total') > 0, service.log());
    assert.ok(await metric('imago_copy_bytes_sent_total') < 32 * MiB);
    await assertBytes(THIRD, copyId);
  });
});
