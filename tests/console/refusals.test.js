'use strict';
// "Clear messages for every refusal": each action form whose refusal no other test walks, refused in the browser and
// compared with the API's own answer to the same request (code and message), answered 400 (never a 500), shown where
// the re-rendered page opens, and with nothing changed as the API then reports. Values the page does not offer
// (a region a shared image may not be copied to, a finished task's Cancel) are
// what a stale page or a hand-edited form sends, so the test edits the form as such a user would.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { popClient, until, adminCommand } = require('../sdk/harness');
const { newPage, signIn, screenshot, startSignedIn, waitForStatus } = require('./browser');
const { customImage, finishedExport } = require('./setup');
const { apiRefusal } = require('./refusal');

const REGION = 'cn-hangzhou';
const OTHER_REGION = 'cn-shanghai';
const BUCKET = 'refusals-bucket';
const ALL_STATUSES = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';

describe('refusals in the console', () => {
  let service;
  let browser;
  let page;
  let api;
  let stop;
  let instanceId;
  let imageId;
  let exportTask;

  before(async () => {
    ({ service, browser, page, api, stop } = await startSignedIn(REGION));
    page.on('dialog', (d) => d.accept());
    adminCommand(service, ['bucket', 'create', '--region', REGION, BUCKET]);
    ({ instanceId, imageId } = await customImage(api, 'refusals-base'));
    exportTask = await finishedExport(api, imageId, BUCKET);
  });

  after(() => stop?.());

  async function apiImage(id = imageId) {
    return (await api('DescribeImages', { ImageId: id, Status: ALL_STATUSES })).Images.Image[0];
  }

  async function apiInstance() {
    return (await api('DescribeInstances', { InstanceIds: JSON.stringify([instanceId]) })).Instances.Instance[0];
  }

  /**
   * Submits with `button` (a confirmation is accepted: see before); then the page must answer 400 and show exactly the
   * API's refusal, visible without scrolling where the re-rendered page opens.
   */
  async function assertRefused(button, fromApi) {
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), button.click()]);
    await page.waitForLoadState();
    assert.equal(response.status(), 400, 'a refusal is a 400, not a 500 nor a success');
    assert.ok(fromApi.code && fromApi.message, 'the API refused with a code and a message');
    const refusal = page.locator('.refusal');
    assert.equal(await refusal.innerText(), `${fromApi.message} (${fromApi.code})`);
    assert.equal(await refusal.getAttribute('role'), 'alert');
    const box = await refusal.boundingBox();
    assert.ok(box && box.y + box.height <= page.viewportSize().height, 'the refusal is in view without scrolling');
    assert.equal(await page.locator('h1').count(), 1, 'the page itself is shown again, not an error page');
  }

  /** Adds a form the page does not offer (as a stale page or hand-edited form sends it), with the session's antiforgery token. */
  async function forgeForm(action, fields) {
    await page.evaluate(({ action, fields }) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      const token = document.querySelector('input[name="__csrf"]').value;
      for (const [name, value] of Object.entries({ ...fields, __csrf: token })) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.append(input);
      }
      const button = document.createElement('button');
      button.id = 'forged';
      button.textContent = 'Send';
      form.append(button);
      document.getElementById('main').append(form);
    }, { action, fields });
    return page.locator('#forged');
  }

  const imagePage = () => page.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);

  it('sharing with an account that does not exist shows the API\'s refusal and shares nothing', async () => {
    const unknown = '999999999999999';
    const fromApi = await apiRefusal(api('ModifyImageSharePermission', { ImageId: imageId, 'AddAccount.1': unknown }));
    await imagePage();
    await page.getByLabel('Account ID').fill(unknown);
    await assertRefused(page.getByRole('button', { name: 'Share', exact: true }), fromApi);
    await screenshot(page, 'image-share-refused');
    assert.equal(await page.getByLabel('Account ID').inputValue(), unknown, 'the form keeps what was typed');
    assert.equal(await page.locator('#shares-empty').innerText(), 'Not shared with any account.');
    assert.deepEqual((await api('DescribeImageSharePermission', { ImageId: imageId })).Accounts.Account, []);
  });

  it('sharing with one\'s own account shows the API\'s refusal', async () => {
    const own = service.accounts.alice.AccountId;
    const fromApi = await apiRefusal(api('ModifyImageSharePermission', { ImageId: imageId, 'AddAccount.1': own }));
    await page.getByLabel('Account ID').fill(String(own));
    await assertRefused(page.getByRole('button', { name: 'Share', exact: true }), fromApi);
    assert.deepEqual((await api('DescribeImageSharePermission', { ImageId: imageId })).Accounts.Account, []);
  });

  it('deprecating a shared image shows the API\'s refusal and the image stays Available', async () => {
    await api('ModifyImageSharePermission', { ImageId: imageId, 'AddAccount.1': service.accounts.bob.AccountId });
    try {
      const fromApi = await apiRefusal(api('ModifyImageAttribute', { ImageId: imageId, Status: 'Deprecated' }));
      await imagePage();
      await assertRefused(page.getByRole('button', { name: 'Deprecate' }), fromApi);
      assert.equal(await page.locator('#image-status').innerText(), 'Available');
      assert.equal((await apiImage()).Status, 'Available');
    } finally {
      await api('ModifyImageSharePermission', { ImageId: imageId, 'RemoveAccount.1': service.accounts.bob.AccountId });
    }
  });

  it('copy offers every region for one\'s own image; a copy within its own region is a new image, as the API reports', async () => {
    await imagePage();
    const offered = await page.locator('#DestinationRegionId option').evaluateAll((options) => options.map((o) => o.value));
    assert.deepEqual([...offered].sort(), [OTHER_REGION, REGION, ...offered.filter((r) => r !== OTHER_REGION && r !== REGION)].sort());
    assert.notEqual(offered[0], REGION, 'another region is the default');
    await page.getByLabel('Copy to region').selectOption(REGION);
    await page.getByLabel('Name of the copy').fill('refusals-local-copy');
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    await page.waitForURL(/\/console\/images\/m-/);
    const copyId = await page.locator('#image-id').innerText();
    assert.notEqual(copyId, imageId);
    assert.equal(await page.locator('#source-image').innerText(), imageId);
    // The page's own poller reloads it once the copy has ended: waited for, so that no reload is still in flight
    // when the next test navigates this page (a navigation it would abort).
    await waitForStatus(page, 'Available');
    const copy = await apiImage(copyId);
    assert.equal(copy.ImageName, 'refusals-local-copy');
    assert.equal(copy.IsCopied, true);
  });

  it('an image shared with bob is copied only within its region: another region (hand-edited) shows the API\'s refusal', async () => {
    await api('ModifyImageSharePermission', { ImageId: imageId, 'AddAccount.1': service.accounts.bob.AccountId });
    const bobPage = await newPage(browser);
    try {
      const bob = popClient(service, service.accounts.bob);
      const fromApi = await apiRefusal(bob.request('CopyImage', { RegionId: REGION, ImageId: imageId, DestinationRegionId: OTHER_REGION }, { method: 'POST' }));
      await signIn(bobPage, service, service.accounts.bob);
      await bobPage.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);
      assert.deepEqual(await bobPage.locator('#DestinationRegionId option').evaluateAll((options) => options.map((o) => o.value)), [REGION]);
      await bobPage.locator('#DestinationRegionId').evaluate((select, region) => select.add(new Option(region, region), null), OTHER_REGION);
      await bobPage.getByLabel('Copy to region').selectOption(OTHER_REGION);
      const [response] = await Promise.all([bobPage.waitForResponse((r) => r.request().method() === 'POST'),
        bobPage.getByRole('button', { name: 'Copy', exact: true }).click()]);
      await bobPage.waitForLoadState();
      assert.equal(response.status(), 400);
      assert.equal(await bobPage.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);
      const copies = await bob.request('DescribeImages', { RegionId: OTHER_REGION, ImageOwnerAlias: 'self', Status: ALL_STATUSES }, { method: 'POST' });
      assert.equal(copies.TotalCount, 0);
    } finally {
      await bobPage.context().close();
      await api('ModifyImageSharePermission', { ImageId: imageId, 'RemoveAccount.1': service.accounts.bob.AccountId });
    }
  });

  it('copying under an invalid name shows the API\'s refusal and copies nothing', async () => {
    const fromApi = await apiRefusal(api('CopyImage', { ImageId: imageId, DestinationRegionId: OTHER_REGION, DestinationImageName: '1-not-a-name' }));
    await imagePage();
    await page.getByLabel('Copy to region').selectOption(OTHER_REGION);
    await page.getByLabel('Name of the copy').fill('1-not-a-name');
    await assertRefused(page.getByRole('button', { name: 'Copy', exact: true }), fromApi);
    assert.equal(await page.getByLabel('Name of the copy').inputValue(), '1-not-a-name', 'the form keeps what was typed');
    assert.equal(await page.getByLabel('Copy to region').inputValue(), OTHER_REGION);
    const copies = await api('DescribeImages', { RegionId: OTHER_REGION, ImageOwnerAlias: 'self', Status: ALL_STATUSES });
    assert.equal(copies.TotalCount, 0);
  });

  it('exporting with an invalid object prefix shows the API\'s refusal and starts no task', async () => {
    const prefix = 'bad prefix/..';
    const fromApi = await apiRefusal(api('ExportImage', { ImageId: imageId, OSSBucket: BUCKET, OSSPrefix: prefix }));
    const before = (await api('DescribeTasks', { TaskAction: 'ExportImage' })).TotalCount;
    await imagePage();
    await page.getByLabel('Object prefix').fill(prefix);
    await assertRefused(page.getByRole('button', { name: 'Export', exact: true }), fromApi);
    assert.equal(await page.getByLabel('Object prefix').inputValue(), prefix, 'the form keeps what was typed');
    assert.equal((await api('DescribeTasks', { TaskAction: 'ExportImage' })).TotalCount, before);
  });

  it('starting an instance that is already Running (the page is stale) shows the API\'s refusal', async () => {
    await api('StopInstance', { InstanceId: instanceId });
    await until(async () => (await apiInstance()).Status === 'Stopped', 'instance Stopped');
    await page.goto(`${service.url}/console/instances/${instanceId}?region=${REGION}`);
    await api('StartInstance', { InstanceId: instanceId });
    await until(async () => (await apiInstance()).Status === 'Running', 'instance Running');
    const fromApi = await apiRefusal(api('StartInstance', { InstanceId: instanceId }));
    await assertRefused(page.getByRole('button', { name: 'Start' }), fromApi);
    assert.equal(await page.locator('#instance-status').innerText(), 'Running');
    assert.equal(await page.locator('#stop').count(), 1, 'the re-rendered page offers what applies now: Stop');
  });

  it('replacing the system disk with a size below the image\'s, or a malformed one, shows the API\'s refusal and keeps the disk', async () => {
    await api('StopInstance', { InstanceId: instanceId });
    await until(async () => (await apiInstance()).Status === 'Stopped', 'instance Stopped');
    const systemDisk = async () => (await api('DescribeDisks', { InstanceId: instanceId, DiskType: 'system' })).Disks.Disk[0].DiskId;
    const diskBefore = await systemDisk();
    const fromApi = await apiRefusal(api('ReplaceSystemDisk', { InstanceId: instanceId, ImageId: imageId, 'SystemDisk.Size': '1' }));
    await page.goto(`${service.url}/console/instances/${instanceId}?region=${REGION}`);
    await page.getByLabel('Image', { exact: true }).selectOption(imageId);
    await page.getByLabel('Size (GiB, optional)').fill('1');
    await assertRefused(page.getByRole('button', { name: 'Replace system disk' }), fromApi);
    await screenshot(page, 'instance-replace-refused');
    assert.equal(await page.getByLabel('Size (GiB, optional)').inputValue(), '1', 'the form keeps what was typed');
    assert.equal(await page.getByLabel('Image', { exact: true }).inputValue(), imageId);

    // A size the number field cannot hold (a hand-edited form) is refused as the API refuses it, not taken as "no size".
    const malformed = await apiRefusal(api('ReplaceSystemDisk', { InstanceId: instanceId, ImageId: imageId, 'SystemDisk.Size': '40x' }));
    await page.locator('#SizeGiB').evaluate((input) => { input.type = 'text'; });
    await page.getByLabel('Size (GiB, optional)').fill('40x');
    await assertRefused(page.getByRole('button', { name: 'Replace system disk' }), malformed);
    assert.equal(await systemDisk(), diskBefore);
    assert.equal(await systemDisk(), diskBefore);
  });

  it('a snapshot with an invalid name shows the API\'s refusal and none is made', async () => {
    const disk = (await api('DescribeDisks', { InstanceId: instanceId, DiskType: 'system' })).Disks.Disk[0].DiskId;
    const name = 'http://not-a-name';
    const fromApi = await apiRefusal(api('CreateSnapshot', { DiskId: disk, SnapshotName: name }));
    const before = (await api('DescribeSnapshots', {})).TotalCount;
    await page.goto(`${service.url}/console/instances/${instanceId}?region=${REGION}`);
    await page.getByLabel(`Snapshot name for ${disk}`).fill(name);
    await assertRefused(page.getByRole('button', { name: `Create snapshot of ${disk}` }), fromApi);
    assert.equal(await page.getByLabel(`Snapshot name for ${disk}`).inputValue(), name, 'the form keeps what was typed');
    assert.equal((await api('DescribeSnapshots', {})).TotalCount, before);
  });

  it('creating an image from an instance under an invalid name shows the API\'s refusal', async () => {
    const name = '1-not-a-name';
    const fromApi = await apiRefusal(api('CreateImage', { InstanceId: instanceId, ImageName: name }));
    const before = (await api('DescribeImages', { ImageOwnerAlias: 'self', Status: ALL_STATUSES })).TotalCount;
    await page.goto(`${service.url}/console/images/create?region=${REGION}`);
    await page.getByLabel('Instance', { exact: true }).selectOption(instanceId);
    await page.locator('#InstanceImageName').fill(name);
    await assertRefused(page.getByRole('button', { name: 'Create from instance' }), fromApi);
    assert.equal((await api('DescribeImages', { ImageOwnerAlias: 'self', Status: ALL_STATUSES })).TotalCount, before);
  });

  it('cancelling a task that has finished (the page is stale) shows the API\'s refusal and the task stays Finished', async () => {
    const fromApi = await apiRefusal(api('CancelTask', { TaskId: exportTask }));
    await page.goto(`${service.url}/console/tasks?region=${REGION}`);
    const button = await forgeForm(`/console/tasks?handler=Cancel&region=${REGION}`, { TaskId: exportTask });
    await assertRefused(button, fromApi);
    assert.equal((await api('DescribeTaskAttribute', { TaskId: exportTask })).TaskStatus, 'Finished');

    await page.goto(`${service.url}/console/exports/${exportTask}?region=${REGION}`);
    const onExport = await forgeForm(`/console/exports/${exportTask}?handler=Cancel&region=${REGION}`, {});
    await assertRefused(onExport, fromApi);
  });

  it('a form left open across signing in as another account is refused with a readable page, and nothing changes', async () => {
    await imagePage();
    const other = await page.context().newPage();
    try {
      await signIn(other, service, service.accounts.bob);
    } finally {
      await other.close();
    }
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Deprecate' }).click()]);
    await page.waitForLoadState();
    assert.equal(response.status(), 400);
    assert.equal(await page.locator('h1').innerText(), 'Form out of date');
    assert.match(await page.locator('.refusal').innerText(), /not issued to the current session\. Nothing was changed\. Reload the page/);
    assert.equal((await apiImage()).Status, 'Available');
    const upload = await page.request.post(`${service.url}/console/images/import?handler=Upload&region=${REGION}&bucket=${BUCKET}&key=stale.bin`,
      { headers: { 'Content-Type': 'application/octet-stream', RequestVerificationToken: 'stale' }, data: Buffer.from('abc') });
    assert.equal(upload.status(), 400);
    assert.match((await upload.json()).message, /not issued to the current session/);
    const streamed = await page.request.post(`${service.url}/console/images/import/stream?region=${REGION}`, {
      multipart: { __csrf: 'stale', 'Disks[0].Bucket': BUCKET, 'Disks[0].ObjectKey': 'stale.bin' }, maxRedirects: 0 });
    assert.equal(streamed.status(), 400);
    assert.match(await streamed.text(), /Form out of date[\s\S]*not issued to the current session/);
    assert.doesNotMatch(adminCommand(service, ['bucket', 'ls', '--region', REGION, BUCKET]), /stale\.bin/);
    await page.getByRole('link', { name: 'Reload the page' }).click();
    await page.waitForURL(/\/console\/(images|signin)/);
    await signIn(page, service, service.accounts.alice);
  });

  it('at 390 px the refusal of a form far down the image page is in view too', async () => {
    const narrow = await newPage(browser, { width: 390, height: 844 });
    try {
      await signIn(narrow, service, service.accounts.alice);
      const fromApi = await apiRefusal(api('ModifyImageSharePermission', { ImageId: imageId, 'AddAccount.1': '999999999999999' }));
      await narrow.goto(`${service.url}/console/images/${imageId}?region=${REGION}`);
      await narrow.getByLabel('Account ID').fill('999999999999999');
      const [response] = await Promise.all([narrow.waitForResponse((r) => r.request().method() === 'POST'),
        narrow.getByRole('button', { name: 'Share', exact: true }).click()]);
      await narrow.waitForLoadState();
      assert.equal(response.status(), 400);
      assert.equal(await narrow.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);
      const box = await narrow.locator('.refusal').boundingBox();
      assert.ok(box.y + box.height <= 844, 'the refusal is in view without scrolling');
      await screenshot(narrow, 'image-refused-390');
    } finally {
      await narrow.context().close();
    }
  });

  // Last: it changes state (an action without fields, like Stop, runs as it would for a user).
  it('hostile values in every field of every action form are refused or ignored, never a 500', async () => {
    const hostile = ['x'.repeat(3000) + '\u0000<b>\'"%00', '-99999999999', ' '];
    const paths = [`/console/images/${imageId}`, '/console/images/create', '/console/images/import', '/console/instances', '/console/instances/create',
      `/console/instances/${instanceId}`, '/console/snapshots', '/console/tasks', `/console/exports/${exportTask}`];
    let posts = 0;
    for (const p of paths) {
      await page.goto(`${service.url}${p}?region=${REGION}`);
      // Every posting form but sign-out and the image's Delete (its id is the page's, and a hostile Force is "not forced").
      const forms = await page.locator('form[method=post]').evaluateAll((all) => all
        .filter((f) => !f.action.includes('/signout') && !f.action.includes('handler=Delete') || f.querySelector('input[type=hidden][name$="Id"]'))
        .map((f) => ({ action: f.action, names: [...new Set([...f.elements].map((e) => e.name).filter((n) => n && n !== '__csrf'))],
          token: f.querySelector('input[name="__csrf"]').value })));
      for (const form of forms) {
        for (const value of hostile) {
          const data = { __csrf: form.token };
          for (const name of form.names) data[name] = value;
          const response = await page.request.post(form.action, { form: data, maxRedirects: 0 });
          posts++;
          assert.ok(response.status() < 500, `${form.action} with ${JSON.stringify(value.slice(0, 20))}: ${response.status()}`);
        }
      }
    }
    assert.ok(posts > 40, `forms were posted (${posts})`);
    assert.ok(await apiImage(), 'the image is still there');
  });
});
