'use strict';
// ImportImage with the official SDK: RAW, VHD and qcow2 files made by qemu-img are put into a bucket with
// `imago admin bucket`, imported, polled to Available with their task, and an instance launched from each reads the
// written bytes over NBD; a VMDK, a declared format that does not match the content and a set of hostile files
// (qemu-img's insecure recipes and damaged headers) are refused with the documented codes and leave nothing usable.
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

  const waitAvailable = (imageId) => until(async () => {
    const i = await imageStatus(imageId);
    assert.notEqual(i.status, 'CreateFailed', `${imageId} failed`);
    return i.status === 'Available' ? i : null;
  }, 'imported image Available');

  /** The import's task once it has failed: its status and the error code DescribeTaskAttribute reports. */
  const failedTask = async (res) => {
    await until(async () => ((await imageStatus(res.imageId)).status === 'CreateFailed' ? true : null), `${res.imageId} CreateFailed`);
    // The image fails first, then the runner records the task's outcome: wait for that too.
    const task = await until(async () => {
      const t = (await client.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({ regionId: REGION, taskId: res.taskId }))).body;
      return t.taskStatus === 'Processing' ? null : t;
    }, `${res.taskId} finished`);
    const progress = task.operationProgressSet.operationProgress[0];
    return { status: task.taskStatus, code: progress.errorCode, message: progress.errorMsg };
  };

  const bootAndRead = async (imageId, pattern) => {
    const run = await client.runInstances(new Ecs.RunInstancesRequest({ regionId: REGION, imageId, instanceType: 'ecs.g7.large' }));
    const instanceId = run.body.instanceIdSets.instanceIdSet[0];
    const disks = (await client.describeDisks(new Ecs.DescribeDisksRequest({ regionId: REGION, instanceId }))).body.disks.disk;
    assert.match(qemuIo(service, disks[0].diskId, [`read -P ${pattern} 2M 64k`, 'read -P 0 0 2M'], { readOnly: true }), /read 65536\/65536 bytes[\s\S]*read 2097152\/2097152 bytes/);
    await client.deleteInstance(new Ecs.DeleteInstanceRequest({ instanceId, force: true }));
  };

  it('imports a qcow2 image and runs an instance that reads its bytes', async () => {
    put('disk.qcow2', 'qcow2', ['write -P 0x5a 2M 64k']);
    const res = await importImage('disk.qcow2', 'QCOW2');
    assert.match(res.imageId, /^m-/);
    assert.match(res.taskId, /^t-/);
    const image = await waitAvailable(res.imageId);
    assert.equal(image.progress, '100%');
    // The runner records the task's outcome just after the image is committed.
    const task = await until(async () => {
      const t = await client.describeTaskAttribute(new Ecs.DescribeTaskAttributeRequest({ regionId: REGION, taskId: res.taskId }));
      return t.body.taskStatus === 'Processing' ? null : t;
    }, `${res.taskId} finished`);
    assert.equal(task.body.taskAction, 'ImportImage');
    assert.equal(task.body.taskStatus, 'Finished');
    assert.equal(task.body.taskProcess, '100%');
    await bootAndRead(res.imageId, '0x5a');
  });

  for (const [format, declared, pattern] of [['raw', 'RAW', '0x3c'], ['vpc', 'VHD', '0x7e'], ['raw', '', '0x21'], ['vpc', '', '0x42']]) {
    it(`imports a ${format === 'vpc' ? 'VHD' : 'RAW'} file made by qemu-img (Format "${declared}") and boots it`, async () => {
      const name = `disk-${pattern}.${format === 'vpc' ? 'vhd' : 'raw'}`;
      put(name, format, [`write -P ${pattern} 2M 64k`]);
      const res = await importImage(name, declared);
      const image = await waitAvailable(res.imageId);
      assert.equal(image.size, 1);
      await bootAndRead(res.imageId, pattern);
    });
  }

  it('refuses a declared Format that does not match the content (qcow2 declared VHD, VHD declared QCOW2)', async () => {
    put('mismatch.qcow2', 'qcow2', ['write -P 1 0 4k']);
    put('mismatch.vhd', 'vpc', ['write -P 1 0 4k']);
    for (const [object, declared] of [['mismatch.qcow2', 'VHD'], ['mismatch.vhd', 'QCOW2']]) {
      const failure = await failedTask(await importImage(object, declared));
      assert.equal(failure.status, 'Failed');
      assert.equal(failure.code, 'InvalidImageFormat.Malformed', `${object}: ${failure.message}`);
    }
  });

  it('refuses a VMDK with the advice to convert, and the image ends CreateFailed', async () => {
    put('disk.vmdk', 'vmdk');
    const res = await importImage('disk.vmdk', '');
    const image = await until(async () => {
      const i = await imageStatus(res.imageId);
      return i.status === 'CreateFailed' ? i : null;
    }, 'VMDK import CreateFailed');
    assert.equal(image.imageId, res.imageId);
    const tasks = await until(async () => {
      const t = await client.describeTasks(new Ecs.DescribeTasksRequest({ regionId: REGION, taskIds: res.taskId }));
      return t.body.taskSet.task[0].taskStatus === 'Processing' ? null : t;
    }, `${res.taskId} finished`);
    assert.equal(tasks.body.taskSet.task[0].taskStatus, 'Failed');
  });

  describe('hostile files', () => {
    const patched = (name, format, patch) => {
      const file = path.join(service.dataDir, name);
      execFileSync('qemu-img', ['create', '-q', '-f', format, file, '64M']);
      const bytes = fs.readFileSync(file);
      patch(bytes);
      fs.writeFileSync(file, bytes);
      adminCommand(service, ['bucket', 'put', '--region', REGION, 'images', name, file]);
      fs.rmSync(file);
    };
    const made = (name, args) => {
      const file = path.join(service.dataDir, name);
      execFileSync('qemu-img', ['create', '-q', ...args(file)]);
      adminCommand(service, ['bucket', 'put', '--region', REGION, 'images', name, file]);
      fs.rmSync(file);
    };
    const text = (name, content) => {
      const file = path.join(service.dataDir, name);
      fs.writeFileSync(file, content);
      adminCommand(service, ['bucket', 'put', '--region', REGION, 'images', name, file]);
      fs.rmSync(file);
    };

    const cases = [
      ['qcow2 with a backing file (reads a host file)', 'backing.qcow2', () => made('backing.qcow2', (f) => ['-f', 'qcow2', '-b', '/etc/hostname', '-F', 'raw', f, '64M'])],
      ['qcow2 with an external data file', 'datafile.qcow2', () => made('datafile.qcow2', (f) => ['-f', 'qcow2', '-o', `data_file=${f}.data`, f, '64M'])],
      ['VMDK descriptor whose flat extent is /etc/passwd', 'flat.vmdk', () => text('flat.vmdk',
        '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW 2048 FLAT "/etc/passwd" 0\n')],
      ['qcow2 whose L1 table is 2^31 entries', 'huge-l1.qcow2', () => patched('huge-l1.qcow2', 'qcow2', (b) => b.writeUInt32BE(0x7fffffff, 36))],
      ['qcow2 whose L1 table lies past the end of the file', 'far-l1.qcow2', () => patched('far-l1.qcow2', 'qcow2', (b) => b.writeBigUInt64BE(1n << 50n, 40))],
      ['qcow2 truncated inside its header', 'short.qcow2', () => patched('short.qcow2', 'qcow2', (b) => b.fill(0, 48))],
      ['VHD whose header copy of the footer has a wrong checksum', 'bad-checksum.vhd', () => patched('bad-checksum.vhd', 'vpc', (b) => { b[64] ^= 0xff; })],
      ['qcow2 claiming a 2^62-byte disk', 'huge-size.qcow2', () => patched('huge-size.qcow2', 'qcow2', (b) => b.writeBigUInt64BE(1n << 62n, 24))],
    ];
    for (const [title, object, make] of cases) {
      it(`refuses ${title}`, async () => {
        make();
        const res = await importImage(object, '');
        const failure = await failedTask(res);
        assert.equal(failure.status, 'Failed');
        assert.ok(['ImportImageFailed', 'InvalidImageFormat.Malformed', 'InvalidImageSize'].includes(failure.code), `${object}: ${failure.code} ${failure.message}`);
        assert.ok(failure.message.length > 0);
        // Nothing usable is left: the failed image launches nothing.
        await assert.rejects(client.runInstances(new Ecs.RunInstancesRequest({ regionId: REGION, imageId: res.imageId, instanceType: 'ecs.g7.large' })),
          (e) => e.statusCode >= 400 && e.statusCode < 500);
      });
    }
  });

  it('a missing object is refused at once', async () => {
    await assert.rejects(importImage('no-such-object.raw', 'RAW'), (e) => e.code === 'InvalidOSSObject.NotFound' && e.statusCode === 400);
  });
});
