'use strict';
// The setup several console test files share: an API caller bound to a region, a signed-in browser and its teardown,
// and the resources most pages need (a custom image made from an instance, a finished export).
const { until } = require('../sdk/harness');
const { launch, newPage, signIn } = require('./browser');

/** ECS calls in one region, sent as POST like the SDKs send them. */
function regionApi(client, region) {
  return (action, params) => client.request(action, { RegionId: region, ...params }, { method: 'POST' });
}

/** Chromium with one page signed in as `account`. */
async function signedInBrowser(service, account) {
  const browser = await launch();
  const page = await newPage(browser);
  await signIn(page, service, account);
  return { browser, page };
}

/** Closes what a test file opened; any part may be missing when its before hook failed. */
async function closeAll({ browser, service } = {}) {
  if (browser) await browser.close();
  if (service) await service.stop();
}

/** A Running instance of the first linux x86_64 public image. */
async function publicInstance(api) {
  const publics = await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux', Architecture: 'x86_64' });
  return (await api('RunInstances', { ImageId: publics.Images.Image[0].ImageId, InstanceType: 'ecs.g7.large' })).InstanceIdSets.InstanceIdSet[0];
}

/** An instance of the first linux x86_64 public image, and a custom image made from it, waited Available. */
async function customImage(api, imageName) {
  const instanceId = await publicInstance(api);
  const imageId = (await api('CreateImage', { InstanceId: instanceId, ImageName: imageName })).ImageId;
  await until(async () => (await api('DescribeImages', { ImageId: imageId, Status: 'Creating,Available' })).Images.Image[0]?.Status === 'Available',
    `image ${imageName} Available`);
  return { instanceId, imageId };
}

/** ExportImage (raw) into `bucket`, waited until the task has ended; it must have Finished. Returns the task id. */
async function finishedExport(api, imageId, bucket) {
  const { TaskId } = await api('ExportImage', { ImageId: imageId, OSSBucket: bucket, ImageFormat: 'raw' });
  await until(async () => (await api('DescribeTaskAttribute', { TaskId })).TaskStatus !== 'Processing', 'export ended', { timeoutMs: 180_000 });
  const { TaskStatus } = await api('DescribeTaskAttribute', { TaskId });
  if (TaskStatus !== 'Finished') throw new Error(`export ${TaskId} ended ${TaskStatus}`);
  return TaskId;
}

module.exports = { regionApi, signedInBrowser, closeAll, publicInstance, customImage, finishedExport };
