'use strict';
// Paging of the Instances and Tasks lists (20 a page, the console's ListPageModel.PageSize) walked in Chromium: the
// count, page 1 and page 2 (through the Next link, which keeps a filter) and Previous equal what DescribeInstances
// and DescribeTasks answer for the same pages. Items are made cheaply through the API: one RunInstances of 25
// instances (disks are O(1) clones), and 21 CreateSnapshot tasks of one disk.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { until } = require('../sdk/harness');
const { startSignedIn } = require('./browser');

const REGION = 'cn-hangzhou';
const PAGE_SIZE = 20;

describe('paging of the Instances and Tasks lists', () => {
  let service;
  let browser;
  let page;
  let api;
  let stop;

  before(async () => {
    ({ service, browser, page, api, stop } = await startSignedIn(REGION));
  });

  after(async () => {
    if (stop) await stop();
  });

  const rowIds = (table, attribute) => page.locator(`${table} tbody tr`).evaluateAll((rows, name) => rows.map((r) => r.dataset[name]), attribute);

  /** Follows the pager's link and waits for the page it names. */
  const follow = async (name, url) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name }).click();
    await page.waitForURL(url);
  };

  it('pages the Instances list as DescribeInstances pages it', async () => {
    const image = (await api('DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux', Architecture: 'x86_64' })).Images.Image[0].ImageId;
    await api('RunInstances', { ImageId: image, InstanceType: 'ecs.t6-c1m1.large', Amount: 25, InstanceName: 'paged' });
    const expected = async (pageNumber) => api('DescribeInstances', { PageNumber: pageNumber, PageSize: PAGE_SIZE });
    const first = await expected(1);
    assert.equal(first.TotalCount, 25);

    await page.goto(`${service.url}/console/instances`);
    assert.equal(await page.locator('#instances caption').innerText(), `${first.TotalCount} instance(s)`);
    assert.deepEqual(await rowIds('#instances', 'instanceId'), first.Instances.Instance.map((i) => i.InstanceId));
    assert.match(await page.locator('.pager').innerText(), /Page 1 of 2/);
    assert.equal(await page.getByRole('link', { name: 'Previous' }).count(), 0);

    await follow('Next', /\/console\/instances\?page=2$/);
    const second = await expected(2);
    assert.equal(second.Instances.Instance.length, 5);
    assert.deepEqual(await rowIds('#instances', 'instanceId'), second.Instances.Instance.map((i) => i.InstanceId));
    assert.match(await page.locator('.pager').innerText(), /Page 2 of 2/);
    assert.equal(await page.getByRole('link', { name: 'Next' }).count(), 0);
    const all = new Set([...first.Instances.Instance, ...second.Instances.Instance].map((i) => i.InstanceId));
    assert.equal(all.size, 25, 'the two pages do not overlap');

    await follow('Previous', /\/console\/instances$/);
    assert.deepEqual(await rowIds('#instances', 'instanceId'), first.Instances.Instance.map((i) => i.InstanceId));
  });

  it('pages the Tasks list, unfiltered and filtered by action, as DescribeTasks pages it', async () => {
    const instance = (await api('DescribeInstances', { PageSize: 1 })).Instances.Instance[0].InstanceId;
    const disk = (await api('DescribeDisks', { InstanceId: instance, DiskType: 'system' })).Disks.Disk[0].DiskId;
    for (let i = 0; i < 21; i++) await api('CreateSnapshot', { DiskId: disk, SnapshotName: `paged-${i}` });
    // Settled first, so no task changes between a page and the API's answer (only ids are compared, but the count is too).
    await until(async () => (await api('DescribeTasks', { TaskAction: 'CreateSnapshot', TaskStatus: 'Processing' })).TotalCount === 0,
      'the snapshot tasks finished');
    const expected = async (params) => {
      const answer = await api('DescribeTasks', { PageSize: PAGE_SIZE, ...params });
      return { total: answer.TotalCount, ids: answer.TaskSet.Task.map((t) => t.TaskId) };
    };

    const all = await expected({ PageNumber: 1 });
    assert.ok(all.total >= 21);
    await page.goto(`${service.url}/console/tasks`);
    assert.equal(await page.locator('#tasks caption').innerText(), `${all.total} task(s)`);
    assert.deepEqual(await rowIds('#tasks', 'taskId'), all.ids);
    await follow('Next', /\/console\/tasks\?page=2$/);
    assert.deepEqual(await rowIds('#tasks', 'taskId'), (await expected({ PageNumber: 2 })).ids);

    const filtered = await expected({ TaskAction: 'CreateSnapshot', PageNumber: 1 });
    assert.equal(filtered.total, 21);
    await page.goto(`${service.url}/console/tasks?action=CreateSnapshot`);
    assert.equal(await page.locator('#tasks caption').innerText(), '21 task(s)');
    assert.deepEqual(await rowIds('#tasks', 'taskId'), filtered.ids);
    assert.match(await page.locator('.pager').innerText(), /Page 1 of 2/);
    await follow('Next', /\/console\/tasks\?action=CreateSnapshot&page=2$/);
    const second = await expected({ TaskAction: 'CreateSnapshot', PageNumber: 2 });
    assert.equal(second.ids.length, 1);
    assert.deepEqual(await rowIds('#tasks', 'taskId'), second.ids);
    assert.equal(await page.getByLabel('Action').inputValue(), 'CreateSnapshot', 'the filter is kept');
    assert.ok(!filtered.ids.includes(second.ids[0]), 'page 2 shows the next task, not one of page 1');
    await follow('Previous', /\/console\/tasks\?action=CreateSnapshot$/);
    assert.deepEqual(await rowIds('#tasks', 'taskId'), filtered.ids);
  });
});
