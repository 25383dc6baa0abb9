'use strict';
// Accessibility and layout sweep: every main page of the console, at 1280 and at 390 px wide, checked the way a
// keyboard or screen-reader user meets it: no horizontal scrolling, every control, button and link named (by
// Chromium's own accessibility tree), one h1, a title, images with alt text, visible keyboard focus, the skip link
// first and moving focus into the content, and a Tab-only walk that reaches the region selector and the page's main
// action. Each page's screenshot at each width is saved as a test artefact (a11y-NAME-WIDTH.png).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { until, adminCommand } = require('../sdk/harness');
const { newPage, signIn, screenshot, startSignedIn } = require('./browser');
const { customImage, finishedExport } = require('./setup');

const REGION = 'cn-hangzhou';
const BUCKET = 'a11y-bucket';
const MAX_TABS = 250;

/** Roles whose accessible name a user needs to know what the element is or does. */
const NAMED_ROLES = new Set(['button', 'link', 'textbox', 'combobox', 'listbox', 'checkbox', 'radio', 'spinbutton', 'searchbox',
  'slider', 'switch', 'menuitem', 'tab', 'image', 'img', 'progressbar', 'meter']);

describe('accessibility and layout of every main page', () => {
  const ids = {};
  const state = {};
  let api;

  before(async () => {
    // Its page stays at 1280 px and signed in: each width below opens its own.
    Object.assign(state, await startSignedIn(REGION));
    ({ api } = state);
    adminCommand(state.service, ['bucket', 'create', '--region', REGION, BUCKET]);
    ({ instanceId: ids.instance, imageId: ids.image } = await customImage(api, 'a11y-image'));
    ids.exportTask = await finishedExport(api, ids.image, BUCKET);
    await api('StopInstance', { InstanceId: ids.instance });
    await until(async () => (await api('DescribeInstances', { InstanceIds: JSON.stringify([ids.instance]) })).Instances.Instance[0].Status === 'Stopped',
      'instance Stopped');
  });

  after(() => state.stop?.());

  // Each main page: its path, and the control that is its main action (a keyboard user must be able to reach it).
  const pages = [
    { name: 'signin', path: () => '/console/signin', main: 'button[type=submit]', signedOut: true },
    { name: 'images-public', path: () => '/console/images?tab=public', main: '#create-image' },
    { name: 'images-custom', path: () => '/console/images?tab=custom', main: '#create-image' },
    { name: 'images-shared', path: () => '/console/images?tab=shared', main: '#create-image' },
    { name: 'images-marketplace', path: () => '/console/images?tab=marketplace', main: '#create-image' },
    { name: 'image', path: () => `/console/images/${ids.image}`, main: '#launch' },
    { name: 'import', path: () => '/console/images/import', main: '#import-button' },
    { name: 'create-image', path: () => '/console/images/create', main: '#create-from-instance' },
    { name: 'instances', path: () => '/console/instances', main: '#create-instance' },
    { name: 'create-instances', path: () => '/console/instances/create', main: '#create-instances-submit' },
    { name: 'instance', path: () => `/console/instances/${ids.instance}`, main: '#start' },
    { name: 'snapshots', path: () => '/console/snapshots', main: '#snapshots button.danger' },
    { name: 'tasks', path: () => '/console/tasks', main: 'form.filters button[type=submit]' },
    { name: 'billing', path: () => '/console/billing', main: 'form.filters button[type=submit]' },
    { name: 'export', path: () => `/console/exports/${ids.exportTask}`, main: 'a.download' },
  ];

  /** Chromium's accessibility tree: the nodes a user needs a name for, that have none. */
  async function unnamed(page) {
    const cdp = await page.context().newCDPSession(page);
    try {
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      const needNames = nodes.filter((n) => !n.ignored && NAMED_ROLES.has(n.role?.value));
      assert.ok(needNames.some((n) => n.role.value === 'link'), 'the tree has links (the check is not vacuous)');
      return needNames.filter((n) => !(n.name?.value ?? '').trim()).map((n) => `${n.role.value} (backend node ${n.backendDOMNodeId})`);
    } finally {
      await cdp.detach();
    }
  }

  /** Tabs from the top of a freshly loaded page until every selector has had focus; returns those never reached. */
  async function tabWalk(page, selectors) {
    const pending = new Set(selectors);
    for (let i = 0; i < MAX_TABS && pending.size > 0; i++) {
      await page.keyboard.press('Tab');
      for (const selector of [...pending]) {
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) pending.delete(selector);
      }
    }
    return [...pending];
  }

  for (const width of [1280, 390]) {
    describe(`at ${width} px`, () => {
      let page;

      before(async () => {
        page = await newPage(state.browser, { width, height: width > 500 ? 900 : 844 });
        await signIn(page, state.service, state.service.accounts.alice);
      });

      after(async () => {
        if (page) await page.context().close();
      });

      for (const spec of pages) {
        it(`${spec.name}: fits, names everything, one h1, skip link, keyboard reaches the region and the main action`, async () => {
          const target = spec.signedOut ? await newPage(state.browser, { width, height: width > 500 ? 900 : 844 }) : page;
          try {
            const response = await target.goto(`${state.service.url}${spec.path()}`);
            assert.equal(response.status(), 200);
            await screenshot(target, `a11y-${spec.name}-${width}`);

            const overflow = await target.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            assert.ok(overflow <= 0, `${spec.name} is ${overflow}px wider than the ${width}px screen`);
            assert.equal(await target.locator('h1').count(), 1, 'one h1');
            assert.match(await target.title(), /^\S.* · Imago console$/, 'a title naming the page');
            assert.deepEqual(await target.locator('img:not([alt])').count(), 0, 'every img has alt text');
            assert.deepEqual(await unnamed(target), [], 'every control, button, link and image has an accessible name');
            const unlabelled = await target.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
              .filter((c) => !c.labels?.length && !c.getAttribute('aria-label') && !c.getAttribute('aria-labelledby')).map((c) => c.outerHTML));
            assert.deepEqual(unlabelled, [], 'every input, select and textarea has a label, aria-label or aria-labelledby');

            // The skip link: the first Tab stop of a page without autofocus; Enter moves focus into the content.
            if (!(await target.locator('[autofocus]').count())) {
              await target.keyboard.press('Tab');
              assert.equal(await target.evaluate(() => document.activeElement.className), 'skip', 'the first Tab reaches the skip link');
            } else {
              await target.locator('a.skip').focus();
            }
            assert.ok(await target.locator('a.skip').isVisible(), 'the focused skip link is visible');
            await target.keyboard.press('Enter');
            assert.equal(await target.evaluate(() => document.activeElement.id), 'main');
            await target.keyboard.press('Tab');
            assert.ok(await target.evaluate(() => document.getElementById('main').contains(document.activeElement)),
              'after the skip link, Tab continues in the content');

            await target.goto(`${state.service.url}${spec.path()}`);
            await target.evaluate(() => document.activeElement?.blur());
            const wanted = spec.signedOut ? [spec.main] : ['#region-select', spec.main];
            assert.equal(await target.locator(spec.main).count() > 0, true, `${spec.name} shows its main action ${spec.main}`);
            assert.deepEqual(await tabWalk(target, wanted), [], `Tab reaches ${wanted.join(' and ')}`);
            await target.locator(spec.main).first().focus();
            const outline = await target.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
            assert.notEqual(outline, 'none', 'keyboard focus is visible');
          } finally {
            if (target !== page) await target.context().close();
          }
        });
      }
    });
  }
});
