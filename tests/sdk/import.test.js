'use strict';
// ImportImage with the official SDK: a qcow2 file made by qemu-img is put into a bucket with `imago admin bucket`,
// imported, polled to Available with its task, and an instance launched from it reads the written bytes over NBD;
// a VMDK is refused with the advice to convert.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Ecs, startService, ecsClient, qemuIo, until, adminCommand } = require('./harness');

const REGION = 'cn-shanghai';

describe('ImportImage through buckets with @alicloud/ecs20140526', () => {
  let service;
  let client;

  before(async () => {
    service = await startService();
    client = ecsClient(service, service.accounts.alice);
    adminCommand(service, ['bucket', 'create', '--region', REGION, 'images']);
  });

  after(async () => {
    if (service) await service.stop();
  });

  const put = (name, format, commands = []) => {
    const file = path.join(service.dataDir, name);
    execFileSync('qemu-img', ['create', '-q', '-f', format, file, '64M']);
    for (const c of commands) execFileSync('qemu-io', ['-f', format, '-c', c, file]);
    adminCommand(service, ['bucket', 'put', '--region', REGION, 'images', name, file]);
    fs.rmSync(file);
  };

  const importImage = async (object, format) => (await client.importImage(new Ecs.ImportImageRequest({
    regionId: REGION,
    imageName: `imported-${object.replace(/\W/g, '-')}`,
    diskDeviceMapping: [new Ecs.ImportImageRequestDiskDeviceMapping({ OSSBucket: 'images', OSSObject: object, format })],
  }))).body;

  const imageStatus = async (imageId) => (await client.describeImages(new Ecs.DescribeImagesRequest({
    regionId: REGION, imageId, status: 'Creating,Available,CreateFailed',
  }))).body.images.image[0];

  it('imports a qcow2 image and runs an instance that reads its bytes', async () => {
    put('disk.qcow2', 'qcow2', ['write -P 0x5a 2M 64k']);
    const res = await importImage('disk.qcow2', 'QCOW2');
    assert.match(res.imageId, /^m-/);
    assert.match(res.taskId, /^t-/);
    const image = await until(async () => {
      const i = await imageStatus(res.imageId);
      assert.notEqual(i.status, 'CreateFailed');
      return i.status === 'Available' ? i : null;
    }, 'imported image Available');
    assert.equal(image.progress, '100%');
    const task = await client.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({ regionId: REGION, taskId: res.taskId }));
    assert.equal(task.body.taskAction, 'ImportImage');
    assert.equal(task.body.taskStatus, 'Finished');
    assert.equal(task.body.taskProcess, '100%');

    const run = await client.runInstances(new Ecs.RunInstancesRequest({ regionId: REGION, imageId: res.imageId, instanceType: 'ecs.g7.large' }));
    const instanceId = run.body.instanceIdSets.instanceIdSet[0];
    const disks = (await client.describeDisks(new Ecs.DescribeDisksRequest({ regionId: REGION, instanceId }))).body.disks.disk;
    assert.match(qemuIo(service, disks[0].diskId, ['read -P 0x5a 2M 64k'], { readOnly: true }), /read 65536\/65536 bytes/);
  });

  it('refuses a VMDK with the advice to convert, and the image ends CreateFailed', async () => {
    put('disk.vmdk', 'vmdk');
    const res = await importImage('disk.vmdk', '');
    const image = await until(async () => {
      const i = await imageStatus(res.imageId);
      return i.status === 'CreateFailed' ? i : null;
    }, 'VMDK import CreateFailed');
    assert.equal(image.imageId, res.imageId);
    const tasks = await client.describeTasks(new Ecs.DescribeTasksRequest({ regionId: REGION, taskIds: res.taskId }));
    assert.equal(tasks.body.taskSet.task[0].taskStatus, 'Failed');
  });

  it('a missing object is refused at once', async () => {
    await assert.rejects(importImage('no-such-object.raw', 'RAW'), (e) => e.code === 'InvalidOSSObject.NotFound' && e.statusCode === 400);
  });
});
