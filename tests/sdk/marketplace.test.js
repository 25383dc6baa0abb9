'use strict';
// The image market with the official SDK (@alicloud/ecs20140526, V3) against a real imago serve: a product published
// with `imago admin marketplace publish` before the service starts, listed under ImageOwnerAlias=marketplace, refused
// until alice subscribes (admin command, service running), launched, carried into a custom image by CreateImage, and
// refused for every new launch once withdrawn, while the running instance goes on.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Ecs, startService, ecsClient, until, adminCommand } = require('./harness');

const REGION = 'cn-hangzhou';
const CODE = 'cmjjsdk00001';

describe('marketplace images with @alicloud/ecs20140526', () => {
  let service;
  let alice;
  let bob;
  let fileDir;
  const state = {};

  before(async () => {
    fileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imago-sdk-market-'));
    const file = path.join(fileDir, 'shop.raw');
    const bytes = Buffer.alloc(4 << 20);
    bytes.fill(0x6d, 1 << 20, (1 << 20) + 4096);
    fs.writeFileSync(file, bytes);
    service = await startService({
      beforeServe: async (dataDir, admin) => {
        state.product = JSON.parse(admin(['marketplace', 'publish', file, '--product-code', CODE, '--name', 'sdk-shop', '--vendor', 'Acme',
          '--version', '1.0', '--regions', REGION, '--hourly-price', '0.089', '--monthly-price', '43', '--requires-subscription', '--json']));
      },
    });
    alice = ecsClient(service, service.accounts.alice);
    bob = ecsClient(service, service.accounts.bob);
  });

  after(async () => {
    if (service) await service.stop();
    if (fileDir) fs.rmSync(fileDir, { recursive: true, force: true });
  });

  const images = async (client, extra) => (await client.describeImages(new Ecs.DescribeImagesRequest({ regionId: REGION, pageSize: 100, ...extra })))
    .body.images.image;

  const run = (client, imageId) => client.runInstances(new Ecs.RunInstancesRequest({ regionId: REGION, imageId, instanceType: 'ecs.g7.large' }));

  const refused = (promise, code, statusCode) => assert.rejects(promise, (e) => {
    assert.equal(e.code, code, e.message);
    assert.equal(e.statusCode, statusCode);
    return true;
  });

  it('lists the product under ImageOwnerAlias=marketplace only', async () => {
    assert.equal(state.product.ProductCode, CODE);
    state.image = state.product.ImageId;
    const listed = (await images(alice, { imageOwnerAlias: 'marketplace' })).find((i) => i.imageId === state.image);
    assert.ok(listed, 'the marketplace image is listed');
    assert.equal(listed.imageOwnerAlias, 'marketplace');
    assert.equal(listed.productCode, CODE);
    assert.equal(listed.imageVersion, '1.0');
    assert.equal(listed.isSubscribed, false);
    assert.equal((await images(alice, {})).find((i) => i.imageId === state.image), undefined);
  });

  it('refuses a launch before the subscription and launches after it', async () => {
    await refused(run(alice, state.image), 'ImageNotSubscribed', 403);
    adminCommand(service, ['marketplace', 'subscribe', CODE, 'alice']);
    assert.equal((await images(alice, { imageId: state.image }))[0].isSubscribed, true);
    assert.equal((await images(bob, { imageId: state.image }))[0].isSubscribed, false);
    state.instance = (await run(alice, state.image)).body.instanceIdSets.instanceIdSet[0];
    const disk = (await alice.describeDisks(new Ecs.DescribeDisksRequest({ regionId: REGION, instanceId: state.instance }))).body.disks.disk[0];
    assert.equal(disk.productCode, CODE);
    await refused(run(bob, state.image), 'ImageNotSubscribed', 403);
  });

  it('CreateImage from the instance carries the ProductCode and the version', async () => {
    await refused(alice.createImage(new Ecs.CreateImageRequest({ regionId: REGION, instanceId: state.instance, imageVersion: '2.0' })),
      'InvalidImageVersion.Malformed', 400);
    state.derived = (await alice.createImage(new Ecs.CreateImageRequest({ regionId: REGION, instanceId: state.instance, imageName: 'my-shop' }))).body.imageId;
    await until(async () => (await images(alice, { imageId: state.derived }))[0]?.status === 'Available', 'derived image Available');
    const derived = (await images(alice, { imageId: state.derived }))[0];
    assert.equal(derived.imageOwnerAlias, 'self');
    assert.equal(derived.productCode, CODE);
    assert.equal(derived.imageVersion, '1.0');
  });

  it('a withdrawn product refuses new launches of its image and of derived images; the instance keeps running', async () => {
    adminCommand(service, ['marketplace', 'withdraw', CODE]);
    await refused(run(alice, state.image), 'ImageRemovedInMarket', 403);
    await refused(run(alice, state.derived), 'ImageRemovedInMarket', 403);
    const instances = (await alice.describeInstances(new Ecs.DescribeInstancesRequest({ regionId: REGION }))).body.instances.instance;
    assert.equal(instances.find((i) => i.instanceId === state.instance).status, 'Running');
    const listed = JSON.parse(adminCommand(service, ['marketplace', 'list', '--json']));
    assert.equal(listed.find((p) => p.ProductCode === CODE).Status, 'Withdrawn');
  });
});
