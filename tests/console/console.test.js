'use strict';
// The web console walked in headless Chromium against a real imago serve, as two users would: sign-in, the Images
// tabs, an image page, sharing, deprecation, instance creation and deletion, each checked against what the ECS API
// then reports (and refusals against the API's own message), plus isolation between accounts and a CSRF refusal.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startService, popClient, until } = require('../sdk/harness');
const { launch, newPage, signIn, screenshot } = require('./browser');
const { apiRefusal } = require('./refusal');

const REGION = 'cn-hangzhou';
const ALL_STATUSES = 'Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated';

describe('web console in Chromium', () => {
  let service;
  let browser;
  let alicePage;
  let bobPage;
  let alice;
  let bob;
  const state = {};

  before(async () => {
    service = await startService();
    browser = await launch();
    alice = popClient(service, service.accounts.alice);
    bob = popClient(service, service.accounts.bob);
    alicePage = await newPage(browser);
    bobPage = await newPage(browser);
  });

  after(async () => {
    if (browser) await browser.close();
    if (service) await service.stop();
  });

  const api = (client, action, params) => client.request(action, { RegionId: REGION, ...params }, { method: 'POST' });

  const apiImage = async (client, imageId) =>
    (await api(client, 'DescribeImages', { ImageId: imageId, Status: ALL_STATUSES })).Images.Image[0];

  const listedIds = (page) => page.locator('#images tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.imageId));

  const imageUrl = (imageId) => `${service.url}/console/images/${encodeURIComponent(imageId)}`;

  it('the root URL opens the console, which asks for sign-in first', async () => {
    await alicePage.goto(`${service.url}/`);
    assert.match(alicePage.url(), /\/console\/signin\?ReturnUrl=%2Fconsole%2Fimages$/);
    await assert.doesNotReject(alicePage.getByRole('heading', { name: 'Sign in to Imago' }).waitFor());
    await screenshot(alicePage, 'signin');
  });

  it('a wrong secret or an unknown key is refused with one message', async () => {
    const wrong = await signIn(alicePage, service, service.accounts.alice, 'not-the-secret');
    assert.equal(wrong.status(), 401);
    assert.match(await alicePage.locator('#signin-error').innerText(), /AccessKey ID or secret is not valid/);
    const unknown = await signIn(alicePage, service, { AccessKeyId: 'LTAI00000000000000000000', AccessKeySecret: 'x' });
    assert.equal(unknown.status(), 401);
    assert.match(await alicePage.locator('#signin-error').innerText(), /AccessKey ID or secret is not valid/);
    assert.match(alicePage.url(), /\/console\/signin/);
  });

  it('the right pair signs in to the Images list, whose Public tab lists what DescribeImages lists', async () => {
    await signIn(alicePage, service, service.accounts.alice);
    assert.match(alicePage.url(), /\/console\/images$/);
    assert.equal(await alicePage.locator('#account-id').innerText(), service.accounts.alice.AccountId);
    const fromApi = await api(alice, 'DescribeImages', { ImageOwnerAlias: 'system', Status: ALL_STATUSES, PageSize: 20 });
    assert.ok(fromApi.TotalCount > 0);
    assert.equal(await alicePage.locator('#images caption').innerText(), `${fromApi.TotalCount} image(s)`);
    assert.deepEqual(await listedIds(alicePage), fromApi.Images.Image.map((i) => i.ImageId));
    await screenshot(alicePage, 'images-public');
  });

  it('the name filter narrows the list as the API does', async () => {
    await alicePage.getByLabel('Name contains').fill('ubuntu');
    await alicePage.getByRole('button', { name: 'Filter' }).click();
    await alicePage.waitForURL(/name=ubuntu/);
    const fromApi = await api(alice, 'DescribeImages', { ImageOwnerAlias: 'system', ImageName: 'ubuntu', Status: ALL_STATUSES, PageSize: 20 });
    assert.ok(fromApi.TotalCount > 0);
    assert.deepEqual(await listedIds(alicePage), fromApi.Images.Image.map((i) => i.ImageId));
  });

  it('the Custom tab shows alice\'s own image, made through the API', async () => {
    const publics = await api(alice, 'DescribeImages', { ImageOwnerAlias: 'system', OSType: 'linux' });
    state.publicImage = publics.Images.Image[0].ImageId;
    const run = await api(alice, 'RunInstances', { ImageId: state.publicImage, InstanceType: 'ecs.g7.large' });
    const created = await api(alice, 'CreateImage', { InstanceId: run.InstanceIdSets.InstanceIdSet[0], ImageName: 'console-web-base' });
    state.image = created.ImageId;
    await until(async () => (await apiImage(alice, state.image))?.Status === 'Available', 'image Available');

    await alicePage.getByRole('link', { name: 'Custom' }).click();
    await alicePage.waitForURL(/tab=custom/);
    assert.deepEqual(await listedIds(alicePage), [state.image]);
    await screenshot(alicePage, 'images-custom');
    await alicePage.getByRole('link', { name: 'Marketplace' }).click();
    await alicePage.waitForURL(/tab=marketplace/);
    assert.equal(await alicePage.locator('#images-empty').innerText(), 'No images match.');
  });

  it('the Snapshots and Tasks pages list what DescribeSnapshots and DescribeTasks report, for their owner only', async () => {
    const snapshots = await api(alice, 'DescribeSnapshots', { PageSize: 20 });
    assert.ok(snapshots.TotalCount > 0);
    await alicePage.getByRole('link', { name: 'Snapshots' }).click();
    await alicePage.waitForURL(/\/console\/snapshots$/);
    const shownSnapshots = await alicePage.locator('#snapshots tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.snapshotId));
    assert.deepEqual(shownSnapshots.sort(), snapshots.Snapshots.Snapshot.map((x) => x.SnapshotId).sort());

    const tasks = await api(alice, 'DescribeTasks', { PageSize: 20 });
    assert.ok(tasks.TotalCount > 0);
    await alicePage.getByRole('link', { name: 'Tasks' }).click();
    await alicePage.waitForURL(/\/console\/tasks$/);
    const shownTasks = await alicePage.locator('#tasks tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.taskId));
    assert.deepEqual(shownTasks, tasks.TaskSet.Task.map((t) => t.TaskId));
    assert.match(await alicePage.locator('#tasks tbody').innerText(), /CreateImage/);
    await screenshot(alicePage, 'tasks');

    await signIn(bobPage, service, service.accounts.bob);
    await bobPage.goto(`${service.url}/console/snapshots`);
    assert.equal(await bobPage.locator('#snapshots-empty').innerText(), 'No snapshots in this region.');
    await bobPage.goto(`${service.url}/console/tasks`);
    assert.equal(await bobPage.locator('#tasks-empty').innerText(), 'No tasks in this region.');
  });

  it('the region selector switches every page to another region', async () => {
    await alicePage.goto(`${service.url}/console/images?tab=custom`);
    await alicePage.getByRole('combobox', { name: 'Region' }).selectOption('cn-shanghai');
    await alicePage.waitForURL(/region=cn-shanghai/);
    assert.equal(await alicePage.locator('#images-empty').innerText(), 'No images match.');
    await alicePage.goto(`${service.url}/console/images?tab=custom&region=${REGION}`);
    assert.deepEqual(await listedIds(alicePage), [state.image]);
  });

  it('the image page shows its disks, status, lineage and an empty sharing list', async () => {
    await alicePage.getByRole('link', { name: 'console-web-base' }).click();
    await alicePage.waitForURL(imageUrl(state.image));
    const fromApi = await apiImage(alice, state.image);
    assert.equal(await alicePage.locator('#image-name').innerText(), 'console-web-base');
    assert.equal(await alicePage.locator('#image-status').innerText(), fromApi.Status);
    assert.equal(await alicePage.locator('#image-owner').innerText(), 'self');
    const disks = await alicePage.locator('#disks tbody tr').count();
    assert.equal(disks, fromApi.DiskDeviceMappings.DiskDeviceMapping.length);
    assert.match(await alicePage.locator('#disks tbody tr').first().innerText(), /system/);
    assert.equal(await alicePage.locator('#shares-empty').innerText(), 'Not shared with any account.');
    await screenshot(alicePage, 'image');
  });

  it('sharing with bob from the page is what DescribeImageSharePermission reports, and bob sees it under Shared with me', async () => {
    await alicePage.getByLabel('Account ID').fill(service.accounts.bob.AccountId);
    await alicePage.getByRole('button', { name: 'Share', exact: true }).click();
    await alicePage.locator('.notice').waitFor();
    assert.equal(await alicePage.locator('.notice').innerText(), `Shared with account ${service.accounts.bob.AccountId}.`);
    assert.deepEqual(await alicePage.locator('#shares .share-account').allInnerTexts(), [service.accounts.bob.AccountId]);
    const permission = await api(alice, 'DescribeImageSharePermission', { ImageId: state.image });
    assert.deepEqual(permission.Accounts.Account.map((a) => String(a.AliyunId)), [service.accounts.bob.AccountId]);

    await signIn(bobPage, service, service.accounts.bob);
    await bobPage.goto(`${service.url}/console/images?tab=shared`);
    assert.deepEqual(await listedIds(bobPage), [state.image]);
    await screenshot(bobPage, 'images-shared');
  });

  it('deleting a shared image is refused with the API\'s own message', async () => {
    const fromApi = await apiRefusal(api(alice, 'DeleteImage', { ImageId: state.image }));
    alicePage.once('dialog', (dialog) => dialog.accept());
    await alicePage.getByRole('button', { name: 'Delete' }).click();
    await alicePage.locator('.refusal').waitFor();
    assert.equal(await alicePage.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);
    assert.equal((await apiImage(alice, state.image)).Status, 'Available');
  });

  it('after unsharing, bob cannot open the image page by URL: it answers like an unknown image', async () => {
    await alicePage.getByLabel('Account ID').fill(service.accounts.bob.AccountId);
    await alicePage.getByRole('button', { name: 'Unshare' }).click();
    await alicePage.locator('.notice').waitFor();
    assert.equal(await alicePage.locator('#shares-empty').innerText(), 'Not shared with any account.');

    const response = await bobPage.goto(imageUrl(state.image));
    assert.equal(response.status(), 404);
    const unknown = await bobPage.goto(imageUrl('m-doesnotexist000000'));
    assert.equal(unknown.status(), 404);
    const refusal = await apiRefusal(api(bob, 'DescribeImageSharePermission', { ImageId: state.image }));
    assert.equal(await bobPage.locator('.refusal').innerText(), `${refusal.message} (${refusal.code})`);
    await bobPage.goto(imageUrl(state.image));
    assert.equal(await bobPage.locator('.refusal').innerText(), `${refusal.message} (${refusal.code})`);
    assert.equal(await bobPage.locator('#image-name').count(), 0);
    await bobPage.goto(`${service.url}/console/images?tab=shared`);
    assert.equal(await bobPage.locator('#images-empty').innerText(), 'No images match.');
  });

  it('a form post without the antiforgery token is refused and changes nothing', async () => {
    const response = await alicePage.request.post(`${imageUrl(state.image)}?handler=Deprecate`, { form: {}, maxRedirects: 0 });
    assert.equal(response.status(), 400);
    assert.equal((await apiImage(alice, state.image)).Status, 'Available');
  });

  it('deprecating from the page is what DescribeImages then reports, and it can be undone', async () => {
    await alicePage.goto(imageUrl(state.image));
    await alicePage.getByRole('button', { name: 'Deprecate' }).click();
    await alicePage.locator('.notice').waitFor();
    assert.equal(await alicePage.locator('#image-status').innerText(), 'Deprecated');
    assert.equal((await apiImage(alice, state.image)).Status, 'Deprecated');
    await alicePage.getByRole('button', { name: 'Make available again' }).click();
    await alicePage.locator('#deprecate').waitFor();
    assert.equal((await apiImage(alice, state.image)).Status, 'Available');
  });

  it('editing attributes: a bad name is refused with the API\'s message, a good one is what the API then reports', async () => {
    const fromApi = await apiRefusal(api(alice, 'ModifyImageAttribute', { ImageId: state.image, ImageName: '1-not-a-name' }));
    await alicePage.getByLabel('Name', { exact: true }).fill('1-not-a-name');
    await alicePage.getByRole('button', { name: 'Save' }).click();
    await alicePage.locator('.refusal').waitFor();
    assert.equal(await alicePage.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);

    await alicePage.getByLabel('Name', { exact: true }).fill('console-web-renamed');
    await alicePage.getByLabel('Description').fill('made in the console test');
    await alicePage.getByRole('button', { name: 'Save' }).click();
    await alicePage.locator('.notice').waitFor();
    assert.equal(await alicePage.locator('#image-name').innerText(), 'console-web-renamed');
    const image = await apiImage(alice, state.image);
    assert.equal(image.ImageName, 'console-web-renamed');
    assert.equal(image.Description, 'made in the console test');
  });

  it('boot mode, NVMe, IMDS and licence type: a tampered value is refused as the API refuses it, chosen ones are what the API reports', async () => {
    const before = await apiImage(alice, state.image);
    assert.notEqual(before.BootMode, 'UEFI');
    const imds = before.Features.ImdsSupport === 'v2' ? 'v1' : 'v2';
    const nvme = before.Features.NvmeSupport === 'supported' ? 'unsupported' : 'supported';
    const fromApi = await apiRefusal(api(alice, 'ModifyImageAttribute', { ImageId: state.image, BootMode: 'EFI' }));
    await alicePage.locator('#EditBootMode option[value="UEFI"]').evaluate((option) => { option.value = 'EFI'; });
    await alicePage.getByLabel('Boot mode').selectOption('EFI');
    await alicePage.getByRole('button', { name: 'Save' }).click();
    await alicePage.locator('.refusal').waitFor();
    assert.equal(await alicePage.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);
    assert.equal((await apiImage(alice, state.image)).BootMode, before.BootMode);

    await alicePage.goto(imageUrl(state.image));
    await alicePage.getByLabel('Boot mode').selectOption('UEFI');
    await alicePage.getByLabel('NVMe').selectOption(nvme);
    await alicePage.getByLabel('IMDS').selectOption(imds);
    await alicePage.getByLabel('Licence type').selectOption('BYOL');
    await alicePage.getByRole('button', { name: 'Save' }).click();
    await alicePage.locator('.notice').waitFor();
    const image = await apiImage(alice, state.image);
    assert.equal(image.BootMode, 'UEFI');
    assert.equal(image.Features.NvmeSupport, nvme);
    assert.equal(image.Features.ImdsSupport, imds);
    assert.equal(image.LicenseType, 'BYOL');
    assert.equal(await alicePage.getByLabel('Boot mode').inputValue(), 'UEFI');
    assert.equal(await alicePage.getByLabel('IMDS').inputValue(), imds);
  });

  it('hostile query values and ids get pages, not errors', async () => {
    const long = 'x'.repeat(5000);
    for (const query of [`page=abc&status=bogus&tab=zzz&name=${long}`, 'page=-7&region=nowhere', 'page=99999999999999']) {
      const response = await alicePage.goto(`${service.url}/console/images?${query}`);
      assert.equal(response.status(), 200, query);
    }
    assert.equal((await alicePage.goto(imageUrl('m-'.padEnd(300, 'z')))).status(), 404);
    assert.equal((await alicePage.goto(`${imageUrl(state.image)}?handler=Progress&region=nowhere`)).status(), 200);
    await alicePage.goto(imageUrl(state.image));
  });

  it('creating an instance from the image is an instance the API lists', async () => {
    await alicePage.getByRole('link', { name: 'Create instance', exact: true }).click();
    await alicePage.waitForURL(/\/console\/instances\/create\?imageId=/);
    assert.equal(await alicePage.getByLabel('Image', { exact: true }).inputValue(), state.image);
    await alicePage.getByLabel('Instance type').selectOption('ecs.g7.large');
    await alicePage.getByRole('button', { name: 'Create instances' }).click();
    await alicePage.locator('.notice').waitFor();
    const [, instanceId] = (await alicePage.locator('.notice').innerText()).match(/^Instance (\S+) created \(Stopped\)/);
    state.instance = instanceId;
    const listed = await api(alice, 'DescribeInstances', { InstanceIds: JSON.stringify([instanceId]) });
    assert.equal(listed.Instances.Instance.length, 1);
    assert.equal(listed.Instances.Instance[0].ImageId, state.image);
    assert.equal(listed.Instances.Instance[0].InstanceType, 'ecs.g7.large');
  });

  it('the Instances page lists alice\'s instances only, and starts and stops one as the API then reports', async () => {
    const fromApi = await api(alice, 'DescribeInstances', { PageSize: 100 });
    await alicePage.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Instances' }).click();
    await alicePage.waitForURL(/\/console\/instances$/);
    const ids = await alicePage.locator('#instances tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.instanceId));
    assert.deepEqual(ids.sort(), fromApi.Instances.Instance.map((i) => i.InstanceId).sort());
    assert.ok(ids.includes(state.instance));
    const status = async () => (await api(alice, 'DescribeInstances', { InstanceIds: JSON.stringify([state.instance]) })).Instances.Instance[0].Status;
    assert.equal(await status(), 'Stopped');

    await alicePage.getByRole('button', { name: `Start ${state.instance}` }).click();
    await alicePage.locator('.notice').waitFor();
    assert.equal(await alicePage.locator('.notice').innerText(), `Instance ${state.instance} started.`);
    await until(async () => (await status()) === 'Running', 'instance Running');
    await screenshot(alicePage, 'instances');
    await alicePage.reload();
    await alicePage.getByRole('button', { name: `Stop ${state.instance}` }).click();
    await alicePage.locator('.notice').waitFor();
    await until(async () => (await status()) === 'Stopped', 'instance Stopped');

    await bobPage.goto(`${service.url}/console/instances`);
    assert.equal(await bobPage.locator('#instances-empty').innerText(), 'No instances in this region.');
    const forged = await bobPage.request.post(`${service.url}/console/instances?handler=Stop`, { form: { InstanceId: state.instance } });
    assert.equal(forged.status(), 400, 'no antiforgery token');
    const foreign = await bobPage.request.get(`${service.url}/console/instances`);
    assert.ok(!(await foreign.text()).includes(state.instance));
    await alicePage.goto(imageUrl(state.image));
  });

  it('deleting a Running instance is refused with the API\'s message; a Stopped one is deleted', async () => {
    const running = (await api(alice, 'DescribeInstances', { Status: 'Running' })).Instances.Instance[0].InstanceId;
    const fromApi = await apiRefusal(api(alice, 'DeleteInstance', { InstanceId: running }));
    await alicePage.goto(`${service.url}/console/instances`);
    alicePage.once('dialog', (dialog) => dialog.accept());
    await alicePage.getByRole('button', { name: `Delete ${running}` }).click();
    await alicePage.locator('.refusal').waitFor();
    assert.equal(await alicePage.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);

    // A Stopped instance (CreateInstance makes it so) of the public image: the custom image stays in use.
    const stopped = (await api(alice, 'CreateInstance', { ImageId: state.publicImage, InstanceType: 'ecs.g7.large' })).InstanceId;
    await alicePage.goto(`${service.url}/console/instances`);
    alicePage.once('dialog', (dialog) => dialog.accept());
    await alicePage.getByRole('button', { name: `Delete ${stopped}` }).click();
    await alicePage.locator('.notice').waitFor();
    assert.equal(await alicePage.locator('.notice').innerText(), `Instance ${stopped} deleted.`);
    assert.equal((await api(alice, 'DescribeInstances', { InstanceIds: JSON.stringify([stopped]) })).Instances.Instance.length, 0);
    await alicePage.goto(imageUrl(state.image));
  });

  it('is usable from the keyboard: the skip link comes first and moves focus to the content', async () => {
    await alicePage.goto(`${service.url}/console/images`);
    await alicePage.keyboard.press('Tab');
    assert.equal(await alicePage.evaluate(() => document.activeElement.textContent.trim()), 'Skip to content');
    await alicePage.keyboard.press('Enter');
    assert.equal(await alicePage.evaluate(() => document.activeElement.id), 'main');
    await alicePage.keyboard.press('Tab');
    assert.equal(await alicePage.evaluate(() => document.activeElement.textContent.trim()), 'Public');
    const unlabelled = await alicePage.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select')]
      .filter((control) => !control.labels?.length && !control.getAttribute('aria-label')).map((control) => control.outerHTML));
    assert.deepEqual(unlabelled, []);
    await alicePage.goto(imageUrl(state.image));
  });

  it('delete refuses an image in use unless forced, then deletes it', async () => {
    const fromApi = await apiRefusal(api(alice, 'DeleteImage', { ImageId: state.image }));
    alicePage.once('dialog', (dialog) => dialog.accept());
    await alicePage.getByRole('button', { name: 'Delete' }).click();
    await alicePage.locator('.refusal').waitFor();
    assert.equal(await alicePage.locator('.refusal').innerText(), `${fromApi.message} (${fromApi.code})`);

    alicePage.once('dialog', (dialog) => dialog.accept());
    await alicePage.getByLabel('Force (even if instances were made from it)').check();
    await alicePage.getByRole('button', { name: 'Delete' }).click();
    await alicePage.waitForURL(/\/console\/images\?tab=custom$/);
    assert.equal(await alicePage.locator('.notice').innerText(), `Image ${state.image} deleted.`);
    assert.equal(await alicePage.locator('#images-empty').innerText(), 'No images match.');
    assert.equal(await apiImage(alice, state.image), undefined);
  });

  it('is readable at 390 px wide', async () => {
    const narrow = await newPage(browser, { width: 390, height: 844 });
    await signIn(narrow, service, service.accounts.alice);
    await screenshot(narrow, 'images-public-390');
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await narrow.context().close();
  });

  it('signing out ends the session', async () => {
    await alicePage.getByRole('button', { name: 'Sign out' }).click();
    await alicePage.waitForURL(/\/console\/signin$/);
    await alicePage.goto(`${service.url}/console/images`);
    assert.match(alicePage.url(), /\/console\/signin\?ReturnUrl=/);
  });
});
