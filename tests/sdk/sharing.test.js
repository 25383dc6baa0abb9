'use strict';
// Image sharing with the official SDKs against a real imago serve: alice shares a custom image with bob (V3,
// @alicloud/ecs20140526), bob sees it as "others" and runs an instance from it, alice unshares (V1, pop-core), and bob
// is refused at once while the instance he already made keeps running with its bytes.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Ecs, startService, ecsClient, popClient, qemuIo, until } = require('./harness');

const REGION = 'cn-hangzhou';

describe('image sharing with @alicloud/ecs20140526 (V3) and @alicloud/pop-core (V1)', () => {
  let service;
  let alice;
  let bob;
  let alicePop;
  const state = {};

  before(async () => {
    service = await startService();
    alice = ecsClient(service, service.accounts.alice);
    bob = ecsClient(service, service.accounts.bob);
    alicePop = popClient(service, service.accounts.alice);
  });

  after(async () => {
    if (service) await service.stop();
  });

  const listed = async (client, imageId, region = REGION) => (await client.describeImages(new Ecs.DescribeImagesRequest({
    regionId: region, imageId,
  }))).body.images.image[0];

  const systemDisk = async (client, instanceId) => (await client.describeDisks(new Ecs.DescribeDisksRequest({
    regionId: REGION, instanceId,
  }))).body.disks.disk.find((d) => d.type === 'system');

  const refused = (promise, code, statusCode) => assert.rejects(promise, (e) => {
    assert.equal(e.code, code, e.message);
    assert.equal(e.statusCode, statusCode);
    return true;
  });

  it('alice makes a custom image holding known bytes', async () => {
    const publics = (await alice.describeImages(new Ecs.DescribeImagesRequest({ regionId: REGION, imageOwnerAlias: 'system', OSType: 'linux' })))
      .body.images.image;
    const run = await alice.runInstances(new Ecs.RunInstancesRequest({ regionId: REGION, imageId: publics[0].imageId, instanceType: 'ecs.g7.large' }));
    const instance = run.body.instanceIdSets.instanceIdSet[0];
    qemuIo(service, (await systemDisk(alice, instance)).diskId, ['write -P 0x5e 1M 64k']);
    const created = await alice.createImage(new Ecs.CreateImageRequest({ regionId: REGION, instanceId: instance, imageName: 'shared-web-base' }));
    state.image = created.body.imageId;
    await until(async () => (await listed(alice, state.image))?.status === 'Available', 'image Available');
  });

  it('alice shares it with bob, once however often she asks', async () => {
    for (let i = 0; i < 2; i++) {
      await alice.modifyImageSharePermission(new Ecs.ModifyImageSharePermissionRequest({
        regionId: REGION, imageId: state.image, addAccount: [service.accounts.bob.AccountId],
      }));
    }
    const permission = (await alice.describeImageSharePermission(new Ecs.DescribeImageSharePermissionRequest({
      regionId: REGION, imageId: state.image,
    }))).body;
    assert.equal(permission.totalCount, 1);
    assert.equal(permission.accounts.account[0].aliyunId, service.accounts.bob.AccountId);
    assert.match(permission.accounts.account[0].sharedTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(permission.shareGroups.shareGroup, []);
    assert.equal((await listed(alice, state.image)).isSelfShared, 'True');
  });

  it('bob sees it as "others" in its region only, and runs an instance from it', async () => {
    const seen = await listed(bob, state.image);
    assert.equal(seen.imageOwnerAlias, 'others');
    assert.equal(seen.isSelfShared, '');
    assert.equal(String(seen.imageOwnerId), service.accounts.alice.AccountId);
    assert.equal(await listed(bob, state.image, 'cn-shanghai'), undefined);

    const run = await bob.runInstances(new Ecs.RunInstancesRequest({ regionId: REGION, imageId: state.image, instanceType: 'ecs.g7.large' }));
    state.bobInstance = run.body.instanceIdSets.instanceIdSet[0];
    state.bobDisk = (await systemDisk(bob, state.bobInstance)).diskId;
    assert.match(qemuIo(service, state.bobDisk, ['read -P 0x5e 1M 64k'], { readOnly: true }), /read 65536\/65536 bytes/);
  });

  it('bob cannot delete, change or reshare it; alice cannot delete it while shared', async () => {
    await refused(bob.deleteImage(new Ecs.DeleteImageRequest({ regionId: REGION, imageId: state.image })), 'InvalidImageId.NotFound', 404);
    await refused(bob.modifyImageAttribute(new Ecs.ModifyImageAttributeRequest({ regionId: REGION, imageId: state.image, imageName: 'bobs-now' })),
      'InvalidImageId.NotFound', 404);
    await refused(bob.modifyImageSharePermission(new Ecs.ModifyImageSharePermissionRequest({
      regionId: REGION, imageId: state.image, addAccount: [service.accounts.alice.AccountId],
    })), 'InvalidImageId.NotFound', 404);
    await refused(alice.deleteImage(new Ecs.DeleteImageRequest({ regionId: REGION, imageId: state.image, force: true })), 'ImageUseShared', 403);
    await refused(alice.modifyImageSharePermission(new Ecs.ModifyImageSharePermissionRequest({
      regionId: REGION, imageId: state.image, addAccount: ['1234567890123456'],
    })), 'InvalidAccount.NotFound', 404);
  });

  it('alice unshares (V1); bob is refused at once, his instance keeps running with its bytes', async () => {
    await alicePop.request('ModifyImageSharePermission', {
      RegionId: REGION, ImageId: state.image, 'RemoveAccount.1': service.accounts.bob.AccountId,
    }, { method: 'POST' });
    assert.equal(await listed(bob, state.image), undefined);
    await refused(bob.runInstances(new Ecs.RunInstancesRequest({ regionId: REGION, imageId: state.image, instanceType: 'ecs.g7.large' })),
      'InvalidImageId.NotFound', 404);
    const instances = await bob.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: JSON.stringify([state.bobInstance]) }));
    assert.equal(instances.body.instances.instance[0].status, 'Running');
    assert.match(qemuIo(service, state.bobDisk, ['read -P 0x5e 1M 64k'], { readOnly: true }), /read 65536\/65536 bytes/);
    assert.equal((await listed(alice, state.image)).isSelfShared, 'False');
  });
});
