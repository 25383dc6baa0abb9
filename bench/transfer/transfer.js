'use strict';
// Drives one timed transfer through the ECS API with the official V1 client and prints one JSON line.
//   node transfer.js URL AK SK import REGION BUCKET KEY FORMAT          → {imageId, ms}
//   node transfer.js URL AK SK export REGION IMAGE_ID BUCKET FORMAT     → {taskId, ms}
//   node transfer.js URL AK SK copy REGION IMAGE_ID DEST_REGION         → {imageId, ms}
//   node transfer.js URL AK SK instance REGION IMAGE_ID                 → {instanceId, systemDiskId}
//   node transfer.js URL AK SK image REGION INSTANCE_ID                 → {imageId, ms}   (CreateImage until Available)
// Times run from the request to the end state seen by polling every 20 ms (what a client waiting on it sees).
const path = require('node:path');
const RPCClient = require(path.join(__dirname, '..', '..', 'tests', 'sdk', 'node_modules', '@alicloud', 'pop-core')).RPCClient;

const [url, accessKeyId, accessKeySecret, verb, ...args] = process.argv.slice(2);
const client = new RPCClient({ accessKeyId, accessKeySecret, endpoint: url, apiVersion: '2014-05-26' });
const call = (action, params) => client.request(action, params, { method: 'POST' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => process.hrtime.bigint();
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

async function imageAvailable(region, imageId) {
  for (;;) {
    const d = await call('DescribeImages', { RegionId: region, ImageId: imageId, Status: 'Creating,Waiting,Available,CreateFailed', ImageOwnerAlias: 'self' });
    const status = d.Images.Image[0]?.Status;
    if (status === 'Available') return;
    if (status === 'CreateFailed' || status === undefined) throw new Error(`image ${imageId}: ${status}`);
    await sleep(20);
  }
}

async function taskFinished(region, taskId) {
  for (;;) {
    const t = await call('DescribeTaskAttribute', { RegionId: region, TaskId: taskId });
    if (t.TaskStatus === 'Finished') return;
    if (t.TaskStatus !== 'Processing' && t.TaskStatus !== 'Waiting') throw new Error(`task ${taskId}: ${t.TaskStatus}`);
    await sleep(20);
  }
}

const verbs = {
  async import(region, bucket, key, format) {
    const t = now();
    const r = await call('ImportImage', { RegionId: region, ImageName: `bench-${Date.now()}`, 'DiskDeviceMapping.1.OSSBucket': bucket, 'DiskDeviceMapping.1.OSSObject': key, 'DiskDeviceMapping.1.Format': format });
    await imageAvailable(region, r.ImageId);
    return { imageId: r.ImageId, ms: ms(t) };
  },
  async export(region, imageId, bucket, format) {
    const t = now();
    const r = await call('ExportImage', { RegionId: region, ImageId: imageId, OSSBucket: bucket, OSSPrefix: format, ImageFormat: format });
    await taskFinished(region, r.TaskId);
    return { taskId: r.TaskId, ms: ms(t) };
  },
  async copy(region, imageId, destination) {
    const t = now();
    const r = await call('CopyImage', { RegionId: region, ImageId: imageId, DestinationRegionId: destination, DestinationImageName: `bench-copy-${Date.now()}` });
    await imageAvailable(destination, r.ImageId);
    return { imageId: r.ImageId, ms: ms(t) };
  },
  async instance(region, imageId) {
    const r = await call('RunInstances', { RegionId: region, ImageId: imageId, InstanceType: 'ecs.g7.large' });
    const instanceId = r.InstanceIdSets.InstanceIdSet[0];
    const disks = await call('DescribeDisks', { RegionId: region, InstanceId: instanceId, DiskType: 'system' });
    return { instanceId, systemDiskId: disks.Disks.Disk[0].DiskId };
  },
  async image(region, instanceId) {
    const t = now();
    const r = await call('CreateImage', { RegionId: region, InstanceId: instanceId, ImageName: `bench-derived-${Date.now()}` });
    await imageAvailable(region, r.ImageId);
    return { imageId: r.ImageId, ms: ms(t) };
  },
};

verbs[verb](...args).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(`transfer.js ${verb}: ${e.message}`); process.exit(1); });
