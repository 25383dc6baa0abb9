'use strict';
// Error cases through the official SDKs: what each client sees for bad credentials and bad parameters.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { Ecs, startService, ecsClient, popClient } = require('./harness');

describe('errors as the SDKs see them', () => {
  let service;

  before(async () => { service = await startService(); });
  after(async () => { if (service) await service.stop(); });

  it('a wrong secret is SignatureDoesNotMatch for V3 and V1', async () => {
    const wrong = { ...service.accounts.alice, AccessKeySecret: 'not-the-secret' };
    await assert.rejects(ecsClient(service, wrong).describeRegions(new Ecs.DescribeRegionsRequest({})),
      (e) => e.code === 'SignatureDoesNotMatch' && e.statusCode === 400);
    await assert.rejects(popClient(service, wrong).request('DescribeRegions', {}, { method: 'GET' }),
      (e) => e.code === 'SignatureDoesNotMatch');
    await assert.rejects(ecsClient(service, wrong, { signatureAlgorithm: 'v2' }).describeRegions(new Ecs.DescribeRegionsRequest({})),
      (e) => e.code === 'SignatureDoesNotMatch');
  });

  it('an unknown AccessKeyId is InvalidAccessKeyId.NotFound', async () => {
    const unknown = { AccessKeyId: 'LTAI00000000000000000000', AccessKeySecret: 'x' };
    await assert.rejects(ecsClient(service, unknown).describeRegions(new Ecs.DescribeRegionsRequest({})),
      (e) => e.code === 'InvalidAccessKeyId.NotFound');
    await assert.rejects(popClient(service, unknown).request('DescribeRegions', {}, { method: 'POST' }),
      (e) => e.code === 'InvalidAccessKeyId.NotFound');
  });

  it('V1 through the ecs20140526 client works too (signatureAlgorithm v2)', async () => {
    const client = ecsClient(service, service.accounts.alice, { signatureAlgorithm: 'v2' });
    const res = await client.describeImages(new Ecs.DescribeImagesRequest({ regionId: 'cn-shanghai', imageOwnerAlias: 'system' }));
    assert.ok(res.body.images.image.length > 0);
  });

  it('missing and invalid parameters get MissingParameter / InvalidParameter / documented codes', async () => {
    const client = ecsClient(service, service.accounts.alice);
    await assert.rejects(client.describeImages(new Ecs.DescribeImagesRequest({})),
      (e) => e.code === 'MissingParameter' && e.statusCode === 400);
    await assert.rejects(client.describeImages(new Ecs.DescribeImagesRequest({ regionId: 'mars-north-1' })),
      (e) => e.code === 'InvalidRegionId.NotFound');
    await assert.rejects(client.describeImages(new Ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', pageSize: 1000 })),
      (e) => e.statusCode === 400 && /^Invalid/.test(e.code));
    await assert.rejects(client.runInstances(new Ecs.RunInstancesRequest({ regionId: 'cn-hangzhou', imageId: 'm-doesnotexist0000000', instanceType: 'ecs.g7.large' })),
      (e) => e.code === 'InvalidImageId.NotFound' && e.statusCode === 404);
    await assert.rejects(client.createSnapshot(new Ecs.CreateSnapshotRequest({ diskId: 'd-doesnotexist000000' })),
      (e) => e.code === 'InvalidDiskId.NotFound' && e.statusCode === 404);
    const pop = popClient(service, service.accounts.alice);
    await assert.rejects(pop.request('NoSuchAction', { RegionId: 'cn-hangzhou' }, { method: 'GET' }),
      (e) => /^InvalidAction/.test(e.code));
  });

  it('an unknown image id is an empty list, not an error (what Terraform relies on)', async () => {
    const client = ecsClient(service, service.accounts.alice);
    const res = await client.describeImages(new Ecs.DescribeImagesRequest({ regionId: 'cn-hangzhou', imageId: 'm-doesnotexist0000000' }));
    assert.equal(res.body.images.image.length, 0);
    assert.equal(res.body.totalCount, 0);
  });
});
