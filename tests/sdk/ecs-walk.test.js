'use strict';
// The walk, with the official SDKs against a real imago serve:
// regions → public images → run an instance → write its disk over NBD → snapshot → images from the snapshot and
// from the instance (system + data disk) → a second instance from the custom image reads the bytes back →
// replace a system disk → deprecate → delete; with a second account that must see none of it.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Ecs, startService, ecsClient, popClient, qemuIo, until } = require('./harness');

const REGION = 'cn-hangzhou';

describe('ECS walk with @alicloud/ecs20140526 (V3) and @alicloud/pop-core (V1)', () => {
  let service;
  let alice; // V3 client
  let bob; // V3 client, another account
  let pop; // V1 client of alice
  const state = {};

  before(async () => {
    service = await startService();
    alice = ecsClient(service, service.accounts.alice);
    bob = ecsClient(service, service.accounts.bob);
    pop = popClient(service, service.accounts.alice);
  });

  after(async () => {
    if (service) await service.stop();
  });

  const describeImage = async (client, imageId, region = REGION) => {
    const res = await client.describeImages(new Ecs.DescribeImagesRequest({
      regionId: region, imageId, status: 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated',
    }));
    return res.body.images.image[0];
  };

  const waitAvailable = (imageId) => until(async () => {
    const image = await describeImage(alice, imageId);
    assert.notEqual(image?.status, 'CreateFailed', `image ${imageId} failed`);
    return image?.status === 'Available' ? image : null;
  }, `image ${imageId} Available`);

  const instanceDisks = async (instanceId) => (await alice.describeDisks(new Ecs.DescribeDisksRequest({
    regionId: REGION, instanceId,
  }))).body.disks.disk;

  it('lists the regions with V3, V1 GET and V1 POST', async () => {
    const v3 = await alice.describeRegions(new Ecs.DescribeRegionsRequest({}));
    const ids = v3.body.regions.region.map((r) => r.regionId).sort();
    assert.deepEqual(ids, ['ap-southeast-1', 'cn-hangzhou', 'cn-shanghai']);
    assert.match(v3.body.requestId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);

    const get = await pop.request('DescribeRegions', {}, { method: 'GET' });
    const post = await pop.request('DescribeRegions', {}, { method: 'POST' });
    assert.deepEqual(get.Regions.Region.map((r) => r.RegionId).sort(), ids);
    assert.deepEqual(post.Regions.Region.map((r) => r.RegionId).sort(), ids);
  });

  it('lists the public images of every OS family in every region', async () => {
    const families = ['Windows Server', 'CentOS', 'Ubuntu', 'Debian', 'SUSE', 'OpenSUSE', 'Aliyun', 'CoreOS', 'FreeBSD'];
    let first;
    for (const region of ['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1']) {
      const res = await alice.describeImages(new Ecs.DescribeImagesRequest({ regionId: region, imageOwnerAlias: 'system', pageSize: 100 }));
      const images = res.body.images.image;
      assert.ok(images.length >= families.length, `${region}: ${images.length} public images`);
      assert.equal(res.body.totalCount, images.length);
      for (const image of images) {
        assert.equal(image.imageOwnerAlias, 'system');
        assert.equal(image.status, 'Available');
        assert.ok(['linux', 'windows'].includes(image.OSType), image.OSType);
        assert.ok(image.size > 0);
        assert.equal(image.diskDeviceMappings.diskDeviceMapping[0].type, 'system');
      }
      const platforms = images.map((i) => i.platform.toLowerCase()).join('|');
      for (const family of families) {
        assert.ok(platforms.includes(family.toLowerCase()), `${region}: no ${family} image in ${platforms}`);
      }
      const ids = images.map((i) => i.imageId).sort();
      if (first) assert.deepEqual(ids, first, 'the same public images in every region');
      first = ids;
    }
    state.publicImage = (await alice.describeImages(new Ecs.DescribeImagesRequest({
      regionId: REGION, imageOwnerAlias: 'system', OSType: 'linux', architecture: 'x86_64', pageSize: 100,
    }))).body.images.image.find((i) => /ubuntu/i.test(i.platform));
    assert.ok(state.publicImage, 'an x86_64 Ubuntu public image');
  });

  it('runs an instance from a public image, with a data disk', async () => {
    const res = await alice.runInstances(new Ecs.RunInstancesRequest({
      regionId: REGION,
      imageId: state.publicImage.imageId,
      instanceType: 'ecs.g7.large',
      instanceName: 'walk-one',
      systemDisk: new Ecs.RunInstancesRequestSystemDisk({ size: String(Math.max(40, state.publicImage.size)), category: 'cloud_essd' }),
      dataDisk: [new Ecs.RunInstancesRequestDataDisk({ size: 20, category: 'cloud_essd' })],
      amount: 1,
    }));
    const ids = res.body.instanceIdSets.instanceIdSet;
    assert.equal(ids.length, 1);
    state.instance = ids[0];
    await until(async () => {
      const d = await alice.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([state.instance]) }));
      return d.body.instances.instance[0]?.status === 'Running';
    }, 'instance Running');
    const disks = await instanceDisks(state.instance);
    state.systemDisk = disks.find((d) => d.type === 'system');
    state.dataDisk = disks.find((d) => d.type === 'data');
    assert.ok(state.systemDisk && state.dataDisk, JSON.stringify(disks));
    assert.equal(state.systemDisk.imageId, state.publicImage.imageId);
    assert.equal(state.dataDisk.size, 20);
  });

  it('writes both disks over NBD with qemu-io', () => {
    qemuIo(service, state.systemDisk.diskId, ['write -P 0xab 1M 64k']);
    qemuIo(service, state.dataDisk.diskId, ['write -P 0xcd 0 128k']);
    const out = qemuIo(service, state.systemDisk.diskId, ['read -P 0xab 1M 64k'], { readOnly: true });
    assert.match(out, /read 65536\/65536 bytes/);
  });

  it('snapshots the system disk and creates an image from the snapshot', async () => {
    const snap = await alice.createSnapshot(new Ecs.CreateSnapshotRequest({ diskId: state.systemDisk.diskId, snapshotName: 'walk-snap' }));
    state.snapshot = snap.body.snapshotId;
    await until(async () => {
      const d = await alice.describeSnapshots(new Ecs.DescribeSnapshotsRequest({ regionId: REGION, snapshotIds: JSON.stringify([state.snapshot]) }));
      return d.body.snapshots.snapshot[0]?.status === 'accomplished';
    }, 'snapshot accomplished');
    const image = await alice.createImage(new Ecs.CreateImageRequest({ regionId: REGION, snapshotId: state.snapshot, imageName: 'walk-from-snapshot' }));
    state.imageFromSnapshot = image.body.imageId;
    assert.match(state.imageFromSnapshot, /^m-/);
    const available = await waitAvailable(state.imageFromSnapshot);
    assert.equal(available.imageOwnerAlias, 'self');
    assert.equal(available.progress, '100%');
  });

  it('creates an image from the instance with its data disk', async () => {
    const res = await alice.createImage(new Ecs.CreateImageRequest({ regionId: REGION, instanceId: state.instance, imageName: 'walk-from-instance' }));
    state.imageFromInstance = res.body.imageId;
    const image = await waitAvailable(state.imageFromInstance);
    const mappings = image.diskDeviceMappings.diskDeviceMapping;
    assert.deepEqual(mappings.map((m) => m.type).sort(), ['data', 'system']);
    for (const m of mappings) assert.match(m.snapshotId, /^s-/);
    assert.equal(typeof mappings[0].size, 'string');
  });

  it('runs a second instance from the custom image and reads the bytes back over NBD', async () => {
    const res = await alice.runInstances(new Ecs.RunInstancesRequest({
      regionId: REGION, imageId: state.imageFromInstance, instanceType: 'ecs.g7.large', instanceName: 'walk-two',
    }));
    state.instance2 = res.body.instanceIdSets.instanceIdSet[0];
    const disks = await until(async () => {
      const d = await instanceDisks(state.instance2);
      return d.length === 2 ? d : null;
    }, 'two disks');
    const system = disks.find((d) => d.type === 'system');
    const data = disks.find((d) => d.type === 'data');
    assert.match(qemuIo(service, system.diskId, ['read -P 0xab 1M 64k'], { readOnly: true }), /read 65536\/65536 bytes/);
    assert.match(qemuIo(service, data.diskId, ['read -P 0xcd 0 128k'], { readOnly: true }), /read 131072\/131072 bytes/);
  });

  it('replaces the system disk of a stopped instance with a public image', async () => {
    await alice.stopInstance(new Ecs.StopInstanceRequest({ instanceId: state.instance2 }));
    await until(async () => {
      const d = await alice.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([state.instance2]) }));
      return d.body.instances.instance[0]?.status === 'Stopped';
    }, 'instance Stopped');
    const res = await alice.replaceSystemDisk(new Ecs.ReplaceSystemDiskRequest({ instanceId: state.instance2, imageId: state.publicImage.imageId }));
    const newDisk = res.body.diskId;
    assert.match(newDisk, /^d-/);
    const system = (await instanceDisks(state.instance2)).find((d) => d.type === 'system');
    assert.equal(system.diskId, newDisk);
    assert.equal(system.imageId, state.publicImage.imageId);
    // The new system disk is the public image's bytes, not what was written before.
    assert.match(qemuIo(service, newDisk, ['read -P 0xab 1M 64k'], { readOnly: true, mayFail: true }), /Pattern verification failed/);
  });

  it('keeps another account out', async () => {
    const own = await bob.describeImages(new Ecs.DescribeImagesRequest({ regionId: REGION, imageOwnerAlias: 'self' }));
    assert.equal(own.body.totalCount, 0);
    const probe = await bob.describeImages(new Ecs.DescribeImagesRequest({ regionId: REGION, imageId: state.imageFromInstance }));
    assert.equal(probe.body.images.image.length, 0);
    await assert.rejects(
      bob.runInstances(new Ecs.RunInstancesRequest({ regionId: REGION, imageId: state.imageFromInstance, instanceType: 'ecs.g7.large' })),
      (e) => e.code === 'InvalidImageId.NotFound' && e.statusCode === 404);
    await assert.rejects(
      bob.deleteImage(new Ecs.DeleteImageRequest({ regionId: REGION, imageId: state.imageFromSnapshot })),
      (e) => e.code === 'InvalidImageId.NotFound');
    const instances = await bob.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([state.instance]) }));
    assert.equal(instances.body.instances.instance.length, 0);
    await assert.rejects(
      bob.createSnapshot(new Ecs.CreateSnapshotRequest({ diskId: state.systemDisk.diskId })),
      (e) => e.code === 'InvalidDiskId.NotFound');
  });

  it('deprecates an image, which still launches but is hidden by default', async () => {
    await alice.modifyImageAttribute(new Ecs.ModifyImageAttributeRequest({ regionId: REGION, imageId: state.imageFromSnapshot, status: 'Deprecated' }));
    const byDefault = await alice.describeImages(new Ecs.DescribeImagesRequest({ regionId: REGION, imageId: state.imageFromSnapshot }));
    assert.equal(byDefault.body.images.image.length, 0);
    assert.equal((await describeImage(alice, state.imageFromSnapshot)).status, 'Deprecated');
    const res = await alice.createInstance(new Ecs.CreateInstanceRequest({ regionId: REGION, imageId: state.imageFromSnapshot, instanceType: 'ecs.g7.large' }));
    assert.match(res.body.instanceId, /^i-/);
    state.instance3 = res.body.instanceId;
  });

  it('refuses to delete what is in use, then deletes', async () => {
    await assert.rejects(
      alice.deleteSnapshot(new Ecs.DeleteSnapshotRequest({ snapshotId: state.snapshot })),
      (e) => e.code === 'SnapshotCreatedImage' && e.statusCode === 403);
    await assert.rejects(
      alice.deleteImage(new Ecs.DeleteImageRequest({ regionId: REGION, imageId: state.imageFromSnapshot })),
      (e) => e.code === 'ImageUsingByInstance' && e.statusCode === 403);
    await alice.deleteImage(new Ecs.DeleteImageRequest({ regionId: REGION, imageId: state.imageFromSnapshot, force: true }));
    assert.equal(await describeImage(alice, state.imageFromSnapshot), undefined);
    await assert.rejects(
      alice.deleteSnapshot(new Ecs.DeleteSnapshotRequest({ snapshotId: state.snapshot })),
      (e) => e.code === 'SnapshotCreatedDisk' && e.statusCode === 403, 'instance3 has a disk made from it');
    for (const id of [state.instance3, state.instance2]) {
      await alice.deleteInstance(new Ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    }
    await alice.deleteSnapshot(new Ecs.DeleteSnapshotRequest({ snapshotId: state.snapshot }));
    const snaps = await alice.describeSnapshots(new Ecs.DescribeSnapshotsRequest({ regionId: REGION, snapshotIds: JSON.stringify([state.snapshot]) }));
    assert.equal(snaps.body.snapshots.snapshot.length, 0);
    const left = await alice.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([state.instance2, state.instance3]) }));
    assert.equal(left.body.instances.instance.length, 0);
  });
});
