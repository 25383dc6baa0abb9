'use strict';
// Times RunInstances and CreateImage (from the instance, until Available) for a given system disk size, with the
// official V1 client. Usage: node lifecycle.js URL ACCESS_KEY_ID SECRET SIZE_GIB RUNS → one JSON line of medians (ms).
const path = require('node:path');
const RPCClient = require(path.join(__dirname, '..', '..', 'tests', 'sdk', 'node_modules', '@alicloud', 'pop-core')).RPCClient;

const [url, accessKeyId, accessKeySecret, sizeGiB, runs] = process.argv.slice(2);
const client = new RPCClient({ accessKeyId, accessKeySecret, endpoint: url, apiVersion: '2014-05-26' });
const region = 'cn-hangzhou';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  const images = await client.request('DescribeImages', { RegionId: region, ImageOwnerAlias: 'system', OSType: 'linux', Architecture: 'x86_64', PageSize: 100 });
  const image = images.Images.Image.find((i) => /ubuntu/i.test(i.Platform));
  const run = [];
  const create = [];
  for (let i = 0; i < Number(runs); i++) {
    let t = process.hrtime.bigint();
    const r = await client.request('RunInstances', { RegionId: region, ImageId: image.ImageId, InstanceType: 'ecs.g7.large', 'SystemDisk.Size': sizeGiB }, { method: 'POST' });
    run.push(Number(process.hrtime.bigint() - t) / 1e6);
    const instanceId = r.InstanceIdSets.InstanceIdSet[0];
    t = process.hrtime.bigint();
    const c = await client.request('CreateImage', { RegionId: region, InstanceId: instanceId, ImageName: `bench-${sizeGiB}-${i}-${Date.now()}` }, { method: 'POST' });
    for (;;) {
      const d = await client.request('DescribeImages', { RegionId: region, ImageId: c.ImageId, Status: 'Creating,Available,CreateFailed' });
      const status = d.Images.Image[0]?.Status;
      if (status === 'Available') break;
      if (status === 'CreateFailed') throw new Error('CreateFailed');
      await new Promise((res) => setTimeout(res, 5));
    }
    create.push(Number(process.hrtime.bigint() - t) / 1e6);
    await client.request('DeleteImage', { RegionId: region, ImageId: c.ImageId, Force: 'true' });
    await client.request('DeleteInstance', { InstanceId: instanceId, Force: 'true' });
  }
  console.log(JSON.stringify({ sizeGiB: Number(sizeGiB), runInstancesMs: median(run), createImageMs: median(create) }));
})().catch((e) => { console.error(e.message); process.exit(1); });
