'use strict';
// OS detection on ImportImage, read through the official SDK's DescribeImages model: an ext4 Ubuntu 22.04 disk made by
// sfdisk and mke2fs (its /etc/os-release a symlink to ../usr/lib/os-release, as on real systems) is imported once
// declared as CentOS (DetectionOptions reports the PlatformMismatch) and once with the default Platform (the image
// takes the detected Platform and OS names).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Ecs, startService, ecsClient, until, adminCommand } = require('./harness');

const REGION = 'cn-shanghai';
const MiB = 1024 * 1024;

const OS_RELEASE = 'PRETTY_NAME="Ubuntu 22.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n';

/** A 12 MiB MBR disk whose one partition (at 1 MiB) holds an 8 MiB ext4 root with /etc/os-release. */
function ubuntuDisk(dir) {
  const root = path.join(dir, 'root');
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr', 'lib', 'os-release'), OS_RELEASE);
  fs.symlinkSync('../usr/lib/os-release', path.join(root, 'etc', 'os-release'));
  const ext4 = path.join(dir, 'root.ext4');
  execFileSync('mke2fs', ['-q', '-F', '-t', 'ext4', '-d', root, ext4, '8M']);
  const disk = path.join(dir, 'ubuntu.raw');
  fs.writeFileSync(disk, Buffer.alloc(0));
  fs.truncateSync(disk, 12 * MiB);
  execFileSync('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', disk], { input: 'label: dos\nstart=2048, size=8M, type=83\n' });
  const fd = fs.openSync(disk, 'r+');
  try {
    fs.writeSync(fd, fs.readFileSync(ext4), 0, 8 * MiB, 1 * MiB);
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(root, { recursive: true });
  fs.rmSync(ext4);
  return disk;
}

describe('ImportImage OS detection with @alicloud/ecs20140526', () => {
  let service;
  let client;

  before(async () => {
    service = await startService();
    client = ecsClient(service, service.accounts.alice);
    adminCommand(service, ['bucket', 'create', '--region', REGION, 'detect']);
    const disk = ubuntuDisk(fs.mkdtempSync(path.join(service.dataDir, 'disk-')));
    adminCommand(service, ['bucket', 'put', '--region', REGION, 'detect', 'ubuntu.raw', disk]);
    fs.rmSync(disk);
  });

  after(async () => {
    if (service) await service.stop();
  });

  const importAndWait = async (extra) => {
    const res = (await client.importImage(new Ecs.ImportImageRequest({
      regionId: REGION,
      diskDeviceMapping: [new Ecs.ImportImageRequestDiskDeviceMapping({ OSSBucket: 'detect', OSSObject: 'ubuntu.raw', format: 'RAW' })],
      ...extra,
    }))).body;
    return until(async () => {
      const image = (await client.describeImages(new Ecs.DescribeImagesRequest({
        regionId: REGION, imageId: res.imageId, status: 'Creating,Available,CreateFailed',
      }))).body.images.image[0];
      assert.notEqual(image.status, 'CreateFailed');
      return image.status === 'Available' ? image : null;
    }, `${res.imageId} Available`);
  };

  it('reports an Ubuntu disk declared as CentOS as a PlatformMismatch', async () => {
    const image = await importAndWait({ platform: 'CentOS' });
    assert.equal(image.platform, 'CentOS');
    assert.ok(image.detectionOptions instanceof Ecs.DescribeImagesResponseBodyImagesImageDetectionOptions);
    assert.equal(image.detectionOptions.status, 'Finished');
    const items = Object.fromEntries(image.detectionOptions.items.item.map((i) => [i.name, i]));
    assert.deepEqual([items.Platform.value, items.Platform.riskCode, items.Platform.riskLevel], ['Ubuntu', 'PlatformMismatch', 'Medium']);
    assert.deepEqual([items.OSVersion.value, items.PartitionTable.value, items.BootMode.value, items.FileSystem.value], ['22.04', 'MBR', 'BIOS', 'ext4']);
  });

  it('names an image imported with the default Platform after the detected OS', async () => {
    const image = await importAndWait({});
    assert.deepEqual([image.platform, image.OSName, image.OSNameEn], ['Ubuntu', 'Ubuntu  22.04 64位', 'Ubuntu  22.04 64 bit']);
    assert.ok(image.detectionOptions.items.item.every((i) => i.riskCode === ''));
  });
});
