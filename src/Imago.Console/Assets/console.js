// Imago console: the little interaction that needs script. Everything works without it (forms submit normally).
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  // The region selector switches on change; its button remains for keyboards and script-less browsers.
  for (const select of document.querySelectorAll('select[data-autosubmit]')) {
    select.addEventListener('change', () => select.form.submit());
  }
  // Destructive forms ask once.
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});

// Live progress of long work (a copy, an import): poll the page's JSON endpoint each second, update the bar, each
// disk's progress and time left, and the status,
// and reload once the work has ended so the page shows its outcome. Bounded: stops after an hour of polling.
document.addEventListener('DOMContentLoaded', () => {
  const holder = document.querySelector('[data-progress-url]');
  if (!holder) return;
  const bar = document.getElementById('image-progress');
  const text = document.getElementById('image-progress-text');
  const status = document.getElementById('image-status');
  // The statuses that mean "still working": an image's by default, a task's when the page says so.
  const active = (holder.dataset.progressActive || 'Creating,Waiting').split(',');
  let polls = 0;
  const poll = async () => {
    if (++polls > 3600) return;
    try {
      const response = await fetch(holder.dataset.progressUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!response.ok) { window.location.reload(); return; }
      const state = await response.json();
      bar.value = state.progress;
      text.textContent = `${state.progress}%`;
      // Each disk's row (an import or a copy of several disks fills them one after the other).
      for (const disk of state.disks || []) {
        const cell = document.getElementById(`disk-progress-${disk.index}`);
        if (cell) cell.textContent = `${disk.progress}%`;
        const left = document.getElementById(`disk-remain-${disk.index}`);
        if (left) left.textContent = disk.timeLeft;
      }
      // Ended: the reloaded page shows the outcome (and its actions). The status text changes only with it, so
      // whoever waits for it (a user, a test) sees the final page, not one about to be replaced.
      if (!active.includes(state.status)) { window.location.reload(); return; }
      status.textContent = state.status;
    } catch { /* the service restarting: try again */ }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
});

// The import page: a system disk plus data disks. Without script the form posts multipart/form-data to the streaming
// page. With script, each row's chosen file is uploaded first as its own request body (streamed into the bucket by
// the service, the antiforgery token in a header), one after the other, each with its own bar; then the form is
// posted urlencoded (the rows now naming the uploaded objects) to the Import handler. Rows can be added and removed
// (the data disks), up to what an image holds.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('import');
  if (!form) return;
  const holder = document.getElementById('import-disks');
  const add = document.getElementById('add-disk');
  const maxRows = 1 + Number(form.dataset.maxDataDisks);
  const rows = () => [...holder.querySelectorAll('fieldset[data-disk]')];
  const token = () => form.querySelector('input[name="__csrf"]').value;

  // A fresh data row: the first data row's markup (or the system row's), emptied.
  const template = (rows()[1] || rows()[0]).cloneNode(true);

  // Ids, names, labels and legends follow the row's position, so the model binder sees Disks[0..n-1].
  const renumber = () => {
    rows().forEach((row, i) => {
      const legend = i === 0 ? 'System disk' : `Data disk ${i}`;
      row.id = `disk-${i}`;
      row.querySelector('legend').textContent = legend;
      for (const el of row.querySelectorAll('[id]')) el.id = el.id.replace(/^disk-\d+-/, `disk-${i}-`);
      for (const el of row.querySelectorAll('label[for]')) el.htmlFor = el.htmlFor.replace(/^disk-\d+-/, `disk-${i}-`);
      for (const el of row.querySelectorAll('[name]')) el.name = el.name.replace(/^Disks\[\d+\]/, `Disks[${i}]`);
      row.querySelector('progress').setAttribute('aria-label', `${legend} upload progress`);
      const remove = row.querySelector('[data-remove-disk]');
      if (remove) remove.textContent = `Remove ${legend.toLowerCase()}`;
    });
    add.hidden = rows().length >= maxRows;
  };
  const enableRemove = (row) => {
    const remove = row.querySelector('[data-remove-disk]');
    if (!remove) return;
    remove.hidden = false;
    remove.addEventListener('click', () => { row.remove(); renumber(); add.focus(); });
  };
  rows().forEach(enableRemove);
  add.addEventListener('click', () => {
    const row = template.cloneNode(true);
    for (const input of row.querySelectorAll('input')) input.value = '';
    for (const select of row.querySelectorAll('select')) select.selectedIndex = 0;
    row.querySelector('.disk-outcome').textContent = '';
    if (!row.querySelector('[data-remove-disk]')) return;
    holder.appendChild(row);
    enableRemove(row);
    renumber();
    row.querySelector('select').focus();
  });
  renumber();

  // Uploads one row's file; resolves with the stored object's key, rejects with the message to show.
  const upload = (row, file) => new Promise((resolve, reject) => {
    const bar = row.querySelector('progress');
    const text = row.querySelector('.disk-progress span');
    const outcome = row.querySelector('.disk-outcome');
    const show = (percent) => { bar.value = percent; text.textContent = `${percent}%`; };
    const bucket = row.querySelector('select[name$=".Bucket"]').value;
    const keyInput = row.querySelector('input[name$=".ObjectKey"]');
    const key = keyInput.value.trim() || file.name;
    const url = new URL(form.dataset.uploadAction, window.location.href);
    url.searchParams.set('bucket', bucket);
    url.searchParams.set('key', key);
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.setRequestHeader('RequestVerificationToken', token());
    request.upload.addEventListener('progress', (e) => { if (e.lengthComputable) show(Math.floor((e.loaded * 100) / e.total)); });
    request.addEventListener('load', () => {
      let answer = {};
      try { answer = JSON.parse(request.responseText); } catch { /* not JSON: the status says it */ }
      if (request.status === 200) {
        show(100);
        outcome.textContent = `Uploaded ${answer.key} (${answer.size} bytes) into ${answer.bucket}.`;
        keyInput.value = answer.key;
        resolve(answer.key);
      } else {
        reject(new Error(answer.message || `The upload failed (HTTP ${request.status}).`));
      }
    });
    request.addEventListener('error', () => reject(new Error('The upload failed: the connection was lost.')));
    row.querySelector('.disk-progress').hidden = false;
    outcome.textContent = `Uploading ${file.name}…`;
    show(0);
    request.send(file);
  });

  // Back from the image page (the back/forward cache keeps the page as the import left it): the form as at first.
  const action = form.action;
  const enctype = form.enctype;
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    form.action = action;
    form.enctype = enctype;
    for (const input of form.querySelectorAll('input[type="file"]')) input.disabled = false;
  });

  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const button = document.getElementById('import-button');
    button.disabled = true;
    try {
      for (const row of rows()) {
        const input = row.querySelector('input[type="file"]');
        const file = input.files[0];
        if (!file) continue;
        try {
          await upload(row, file);
          input.value = '';
        } catch (error) {
          row.querySelector('.disk-outcome').textContent = error.message;
          return;
        }
      }
      // Every file is in its bucket: import the rows' objects. File inputs (now empty) are not sent.
      for (const input of form.querySelectorAll('input[type="file"]')) input.disabled = true;
      form.enctype = 'application/x-www-form-urlencoded';
      form.action = form.dataset.importAction;
      form.submit();
    } finally {
      busy = false;
      button.disabled = false;
    }
  });
});

// ---- Instances: the Create instances form's repeated rows (data disks, tags) ----
// Without script the form shows a fixed number of rows (blank rows add nothing). With script each group gets an
// "Add" button (up to the group's data-max) and each row a "Remove" button; rows are renumbered after every change,
// so names stay DataDisks[0..n-1].Field (what the page binds) and "Data disk N" stays the API's DataDisk.N.
document.addEventListener('DOMContentLoaded', () => {
  for (const group of document.querySelectorAll('fieldset[data-rows]')) {
    const prefix = group.dataset.rows;
    const rowName = group.dataset.rowName;
    const max = Number(group.dataset.max) || 1;
    const template = group.querySelector('template');
    if (!template) continue;
    const rows = () => [...group.querySelectorAll(':scope > [data-row]')];
    const add = document.createElement('button');
    add.type = 'button';
    add.className = 'secondary row-add';
    add.textContent = `Add ${rowName}`;
    const renumber = () => {
      rows().forEach((row, i) => {
        row.querySelector('[data-row-number]').textContent = `${i + 1}`;
        for (const field of row.querySelectorAll('[data-field]')) {
          field.name = `${prefix}[${i}].${field.dataset.field}`;
          if (field.type !== 'hidden') field.id = `${prefix}-${i}-${field.dataset.field}`;
        }
        for (const label of row.querySelectorAll('label[data-label-for]')) label.htmlFor = `${prefix}-${i}-${label.dataset.labelFor}`;
        row.querySelector('.row-remove').setAttribute('aria-label', `Remove ${rowName} ${i + 1}`);
      });
      add.disabled = rows().length >= max;
    };
    const withRemove = (row) => {
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'secondary row-remove';
      remove.textContent = 'Remove';
      remove.addEventListener('click', () => {
        const next = row.nextElementSibling?.matches('[data-row]') ? row.nextElementSibling : null;
        row.remove();
        renumber();
        (next?.querySelector('input, select') ?? add).focus();
      });
      row.append(remove);
      return row;
    };
    // Blank rows beyond the first are the script-less form's spares: script adds rows on demand instead.
    const blank = (row) => [...row.querySelectorAll('input[data-field]:not([type=hidden]):not([type=checkbox]), select[data-field="SnapshotId"]')]
      .every((f) => f.value === '');
    rows().forEach((row, i) => { if (i > 0 && blank(row)) row.remove(); else withRemove(row); });
    add.addEventListener('click', () => {
      if (rows().length >= max) return;
      const row = withRemove(template.content.firstElementChild.cloneNode(true));
      template.before(row);
      renumber();
      row.querySelector('input, select').focus();
    });
    group.append(add);
    renumber();
  }
});
