'use strict';
// Fees and bills through a real imago serve on the test clock (--clock) with its own price book (--price-book): a
// vendor publishes a Marketplace product in two regions; alice (the owner) runs an instance of it, derives a custom
// image, shares it with bob (the recipient) and copies it to the second region; bob launches from the share; the clock
// advances two hours; each account's bill (pop-core QueryInstanceBill, and `imago bill`) is checked line by line
// against figures computed here from the price book and the vendor's price. DescribePrice (ecs20140526) equals the
// bill of one hour.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const RPCClient = require('@alicloud/pop-core').RPCClient;
const { Ecs, startService, ecsClient, qemuIo, until, adminCommand, imagoCommand } = require('./harness');

const HZ = 'cn-hangzhou';
const SH = 'cn-shanghai';
const GIB = 2 ** 30;
const PRODUCT = 'cmjj00b111';
const VENDOR_HOURLY = 0.5;
const TYPES = ['ecs.t6-c1m1.large', 'ecs.t6-c1m2.large', 'ecs.g7.large', 'ecs.g7.xlarge', 'ecs.g7.2xlarge', 'ecs.c7.large', 'ecs.c7.xlarge',
  'ecs.r7.large', 'ecs.g8y.large', 'ecs.g8y.xlarge', 'ecs.c8y.large'];
// Snapshot prices are high so that a few MiB show in a bill rounded to 6 decimals.
const PRICES = {
  hoursPerMonth: 720,
  regions: {
    [HZ]: { currency: 'USD', snapshotPerGiBMonth: 360, instanceTypes: Object.fromEntries(TYPES.map((t) => [t, t === 'ecs.g7.large' ? 0.125 : 1])) },
    [SH]: { currency: 'CNY', snapshotPerGiBMonth: 720, instanceTypes: Object.fromEntries(TYPES.map((t) => [t, t === 'ecs.g7.large' ? 0.875 : 1])) },
  },
};

describe('fees and bills on the test clock', () => {
  let service;
  let alice;
  let bob;
  let dir;
  let clock;
  const state = {};

  const bssClient = (account) => new RPCClient({
    accessKeyId: account.AccessKeyId, accessKeySecret: account.AccessKeySecret, endpoint: service.url, apiVersion: '2017-12-14',
  });

  const bill = async (account) => (await bssClient(account).request('QueryInstanceBill', {
    BillingCycle: '2026-03', IsBillingItem: true, PageSize: 300,
  }, { method: 'POST' })).Data;

  const image = async (client, imageId, region) => (await client.describeImages(new Ecs.DescribeImagesRequest({
    regionId: region, imageId, status: 'Creating,Available',
  }))).body.images.image[0];

  const storedBytes = async (client, region, snapshotId) => (await client.describeSnapshots(new Ecs.DescribeSnapshotsRequest({
    regionId: region, snapshotIds: JSON.stringify([snapshotId]),
  }))).body.snapshots.snapshot[0].fullSnapshotSizeInBytes;

  const close = (actual, expected, what) => assert.ok(Math.abs(actual - expected) <= 1e-6, `${what}: ${actual} != ${expected}`);

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imago-billing-'));
    clock = path.join(dir, 'clock');
    const prices = path.join(dir, 'prices.json');
    fs.writeFileSync(prices, JSON.stringify(PRICES));
    const [exe, pre] = imagoCommand();
    execFileSync(exe, [...pre, 'admin', 'clock', 'set', '2026-03-01T10:00:00Z', '--clock', clock], { encoding: 'utf8', timeout: 60_000 });
    const disk = path.join(dir, 'product.raw');
    const bytes = Buffer.alloc(4 << 20);
    bytes.fill(0x70, 1 << 20, 2 << 20);
    fs.writeFileSync(disk, bytes);
    service = await startService({
      serveArgs: ['--regions', `${HZ},${SH}`, '--price-book', prices, '--clock', clock],
      beforeServe: async (dataDir, admin) => {
        admin(['marketplace', 'publish', disk, '--product-code', PRODUCT, '--name', 'billed-shop', '--vendor', 'Acme', '--version', '2.0',
          '--regions', `${HZ},${SH}`, '--hourly-price', String(VENDOR_HOURLY), '--monthly-price', '300', '--json']);
      },
    });
    alice = ecsClient(service, service.accounts.alice);
    bob = ecsClient(service, service.accounts.bob);
  });

  after(async () => {
    if (service) await service.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('alice runs an instance of the Marketplace product at 10:00, writes to it and makes a custom image of it', async () => {
    const market = (await alice.describeImages(new Ecs.DescribeImagesRequest({ regionId: HZ, imageOwnerAlias: 'marketplace' })))
      .body.images.image.find((i) => i.productCode === PRODUCT);
    const run = await alice.runInstances(new Ecs.RunInstancesRequest({ regionId: HZ, imageId: market.imageId, instanceType: 'ecs.g7.large' }));
    state.aliceInstance = run.body.instanceIdSets.instanceIdSet[0];
    const disk = (await alice.describeDisks(new Ecs.DescribeDisksRequest({ regionId: HZ, instanceId: state.aliceInstance }))).body.disks.disk[0];
    qemuIo(service, disk.diskId, ['write -P 0x6b 4M 2M']);
    state.image = (await alice.createImage(new Ecs.CreateImageRequest({ regionId: HZ, instanceId: state.aliceInstance, imageName: 'billed' }))).body.imageId;
    const available = await until(async () => { const i = await image(alice, state.image, HZ); return i?.status === 'Available' && i; }, 'image Available');
    assert.equal(available.productCode, PRODUCT); // lineage: the custom image carries the product
    state.snapshot = available.diskDeviceMappings.diskDeviceMapping[0].snapshotId;
    state.snapshotBytes = await storedBytes(alice, HZ, state.snapshot);
    assert.ok(state.snapshotBytes > 0, `stored ${state.snapshotBytes}`); // what the store says the snapshot adds (chunks deduplicate)
  });

  it('alice shares it with bob, who runs an instance of it; alice copies it to Shanghai', async () => {
    await alice.modifyImageSharePermission(new Ecs.ModifyImageSharePermissionRequest({ regionId: HZ, imageId: state.image, addAccount: [service.accounts.bob.AccountId] }));
    state.bobInstance = (await bob.runInstances(new Ecs.RunInstancesRequest({ regionId: HZ, imageId: state.image, instanceType: 'ecs.g7.large' })))
      .body.instanceIdSets.instanceIdSet[0];
    state.copy = (await alice.copyImage(new Ecs.CopyImageRequest({ regionId: HZ, imageId: state.image, destinationRegionId: SH }))).body.imageId;
    const copied = await until(async () => { const i = await image(alice, state.copy, SH); return i?.status === 'Available' && i; }, 'copy Available');
    state.copySnapshot = copied.diskDeviceMappings.diskDeviceMapping[0].snapshotId;
    state.copyBytes = await storedBytes(alice, SH, state.copySnapshot);
    assert.ok(state.copyBytes > 0);
  });

  it('nothing is billed before an hour is over', async () => {
    assert.equal((await bill(service.accounts.alice)).TotalCount, 0);
  });

  it('two hours later each bill matches the price book line by line', async () => {
    adminCommand(service, ['clock', 'advance', '2h', '--clock', clock]);

    const alices = await bill(service.accounts.alice);
    assert.equal(alices.AccountID, service.accounts.alice.AccountId);
    const items = alices.Items.Item;
    const line = (id, item) => items.find((i) => i.InstanceID === id && i.BillingItem === item);
    assert.equal(items.length, 4);
    const compute = line(state.aliceInstance, 'InstanceType');
    assert.equal(compute.Currency, 'USD');
    close(compute.PretaxAmount, 2 * 0.125, 'alice instance');
    const fee = line(state.aliceInstance, 'ImageFee');
    assert.deepEqual([fee.ProductCode, fee.CommodityCode, fee.Currency, fee.Usage, fee.ListPrice], ['market', PRODUCT, 'USD', '2', String(VENDOR_HOURLY)]);
    close(fee.PretaxAmount, 2 * VENDOR_HOURLY, 'alice vendor fee');
    const hz = line(state.snapshot, 'SnapshotCapacity');
    assert.equal(hz.Currency, 'USD');
    close(hz.PretaxAmount, (state.snapshotBytes / GIB) * 360 * (2 / 720), 'alice snapshot in Hangzhou');
    const sh = line(state.copySnapshot, 'SnapshotCapacity');
    assert.equal(sh.Currency, 'CNY');
    assert.equal(sh.ProductCode, 'snapshot');
    close(sh.PretaxAmount, (state.copyBytes / GIB) * 720 * (2 / 720), 'alice snapshot in Shanghai');

    // bob owns no snapshot: no capacity fee; his instance of the shared image pays the vendor.
    const bobs = (await bill(service.accounts.bob)).Items.Item;
    assert.deepEqual(bobs.map((i) => [i.InstanceID, i.BillingItem]).sort(), [[state.bobInstance, 'ImageFee'], [state.bobInstance, 'InstanceType']]);
    close(bobs.find((i) => i.BillingItem === 'InstanceType').PretaxAmount, 2 * 0.125, 'bob instance');
    close(bobs.find((i) => i.BillingItem === 'ImageFee').PretaxAmount, 2 * VENDOR_HOURLY, 'bob vendor fee');
  });

  it('DescribePrice for one hour is the bill of one hour; imago bill prints the same totals', async () => {
    const price = (await alice.describePrice(new Ecs.DescribePriceRequest({
      regionId: HZ, resourceType: 'instance', instanceType: 'ecs.g7.large', imageId: state.image, priceUnit: 'Hour',
    }))).body.priceInfo;
    assert.equal(price.price.currency, 'USD');
    assert.equal(price.price.tradePrice, 0.125);
    assert.deepEqual([price.relatedPrice.marketplaceImagePrice.currency, price.relatedPrice.marketplaceImagePrice.tradePrice], ['USD', VENDOR_HOURLY]);

    const [exe, pre] = imagoCommand();
    const out = execFileSync(exe, [...pre, 'bill', '--month', '2026-03', '--json', '--endpoint', service.url, '--access-key-id',
      service.accounts.bob.AccessKeyId, '--access-key-secret', service.accounts.bob.AccessKeySecret], { encoding: 'utf8', timeout: 60_000 });
    close(JSON.parse(out).Totals.USD, 2 * (price.price.tradePrice + price.relatedPrice.marketplaceImagePrice.tradePrice), 'imago bill total');
  });
});
