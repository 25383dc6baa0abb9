'use strict';
// ExportImage with the official SDK: a qcow2 file made by qemu-img is imported, then exported in raw, vhd and qcow2;
// each object is fetched with `imago admin bucket get`, compared with the original file by `qemu-img compare` and
// checked (qemu-img check for qcow2; imago img check for VHD, which qemu-img cannot check; raw has nothing to check).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Ecs, startService, ecsClient, until, adminCommand, imagoCommand } = require('./harness');

const REGION = 'cn-hangzhou';
const BUCKET = 'exports';

describe('ExportImage into buckets with @alicloud/ecs20140526', () => {
  let service;
  let alice;
  let bob;
  let original;
  let imageId;

  before(async () => {
    service = await startService();
    alice = ecsClient(service, service.accounts.alice);
    bob = ecsClient(service, service.accounts.bob);
    adminCommand(service, ['bucket', 'create', '--region', REGION, BUCKET]);

    original = path.join(service.dataDir, 'original.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', original, '48M']);
    for (const c of ['write -P 0x5a 1M 64k', 'write -P 0xa5 47M 1M']) execFileSync('qemu-io', ['-f', 'qcow2', '-c', c, original]);
    adminCommand(service, ['bucket', 'put', '--region', REGION, BUCKET, 'original.qcow2', original]);

    const imported = (await alice.importImage(new Ecs.ImportImageRequest({
      regionId: REGION,
      imageName: 'to-export',
      diskDeviceMapping: [new Ecs.ImportImageRequestDiskDeviceMapping({ OSSBucket: BUCKET, OSSObject: 'original.qcow2', format: 'qcow2' })],
    }))).body;
    imageId = imported.imageId;
    await until(async () => {
      const image = (await alice.describeImages(new Ecs.DescribeImagesRequest({ regionId: REGION, imageId, status: 'Creating,Available' })))
        .body.images.image[0];
      return image.status === 'Available';
    }, 'imported image Available');
  });

  after(async () => {
    if (service) await service.stop();
  });

  const exportImage = async (client, format, prefix) => (await client.exportImage(new Ecs.ExportImageRequest({
    regionId: REGION, imageId, OSSBucket: BUCKET, OSSPrefix: prefix, imageFormat: format,
  }))).body;

  const finished = (taskId) => until(async () => {
    const task = (await alice.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({ regionId: REGION, taskId }))).body;
    assert.notEqual(task.taskStatus, 'Failed', JSON.stringify(task));
    return task.taskStatus === 'Finished' ? task : null;
  }, `export task ${taskId} Finished`);

  for (const [format, qemuFormat] of [['raw', 'raw'], ['vhd', 'vpc'], ['qcow2', 'qcow2']]) {
    it(`exports ${format}: the object equals the original file and passes its check`, async () => {
      const res = await exportImage(alice, format, `sdk${format}`);
      assert.match(res.taskId, /^t-/);
      assert.equal(res.regionId, REGION);
      const task = await finished(res.taskId);
      assert.equal(task.taskAction, 'ExportImage');
      assert.equal(task.taskProcess, '100%');
      const items = task.operationProgressSet.operationProgress[0].relatedItemSet.relatedItem;
      const key = `sdk${format}_${imageId}_system.${format}`;
      assert.deepEqual(items.filter((i) => i.name === 'OSSObject').map((i) => i.value), [key]);

      const fetched = path.join(service.dataDir, `fetched.${format}`);
      adminCommand(service, ['bucket', 'get', '--region', REGION, BUCKET, key, fetched]);
      execFileSync('qemu-img', ['compare', '-q', '-f', 'qcow2', '-F', qemuFormat, original, fetched]);
      const info = JSON.parse(execFileSync('qemu-img', ['info', '--output', 'json', '-f', qemuFormat, fetched], { encoding: 'utf8' }));
      assert.equal(info['virtual-size'], 48 * 1024 * 1024);
      if (qemuFormat === 'qcow2') {
        execFileSync('qemu-img', ['check', '-q', '-f', 'qcow2', fetched]);
      } else if (qemuFormat === 'vpc') {
        const [exe, pre] = imagoCommand();
        const check = spawnSync(exe, [...pre, 'img', 'check', '-f', 'vpc', fetched], { encoding: 'utf8', timeout: 120_000 });
        assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
      }
      fs.rmSync(fetched);
    });
  }

  it('refuses VMDK with the advice to choose raw, vhd or qcow2', async () => {
    await assert.rejects(exportImage(alice, 'vmdk', 'sdkvmdk'),
      (e) => e.code === 'InvalidImageFormat.Malformed' && e.statusCode === 400 && /raw, vhd or qcow2/.test(e.message));
  });

  it('another account cannot export the image', async () => {
    await assert.rejects(exportImage(bob, 'raw', 'bob'), (e) => e.code === 'InvalidImageId.NotFound' && e.statusCode === 404);
  });
});
