'use strict';
// Resources several console test files need before their pages have something to show: an instance, a custom image
// made from it, a finished export. `api` is a region-bound caller such as browser.js's startSignedIn returns.
const { until } = require('../sdk/harness');

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

module.exports = { publicInstance, customImage, finishedExport };
