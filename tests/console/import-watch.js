'use strict';
// The import page's per-disk upload bars, watched from inside the page: the form navigates away as soon as the last
// upload ends (it then posts the import), so the test cannot look afterwards. An observer in the page reports each
// row's bar and outcome as they change, and the last report per row is what the row showed when its upload ended.

/**
 * Runs `act` (which clicks Import and waits for what follows) while watching the rows of #import; answers, per row
 * id (disk-0, disk-1, ...), the last { value, outcome } it showed with an outcome text.
 */
async function watchUploads(page, act) {
  const seen = {};
  const binding = `importWatch${Math.random().toString(36).slice(2)}`;
  await page.exposeFunction(binding, (row, value, outcome) => { seen[row] = { value, outcome }; });
  await page.evaluate((name) => {
    const form = document.getElementById('import');
    const report = () => {
      for (const row of form.querySelectorAll('fieldset[data-disk]')) {
        const outcome = row.querySelector('.disk-outcome').textContent;
        if (outcome) window[name](row.id, row.querySelector('progress').value, outcome);
      }
    };
    new MutationObserver(report).observe(form, { subtree: true, childList: true, characterData: true, attributes: true });
  }, binding);
  await act();
  return seen;
}

module.exports = { watchUploads };
