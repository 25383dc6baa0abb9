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

// Live progress of long work (a copy): poll the page's JSON endpoint each second, update the bar and the status,
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
      // Ended: the reloaded page shows the outcome (and its actions). The status text changes only with it, so
      // whoever waits for it (a user, a test) sees the final page, not one about to be replaced.
      if (!active.includes(state.status)) { window.location.reload(); return; }
      status.textContent = state.status;
    } catch { /* the service restarting: try again */ }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
});

// The import page's upload: the file goes as the request body (streamed into the bucket by the service), the
// antiforgery token in a header, and the bar follows XMLHttpRequest's upload progress. Once stored, the import
// form is filled with the object's bucket and name.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('upload');
  if (!form) return;
  const bar = document.getElementById('upload-progress');
  const text = document.getElementById('upload-progress-text');
  const outcome = document.getElementById('upload-outcome');
  const show = (percent) => { bar.value = percent; text.textContent = `${percent}%`; };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = document.getElementById('UploadFile').files[0];
    if (!file) return;
    const bucket = document.getElementById('UploadBucket').value;
    const key = document.getElementById('UploadKey').value.trim() || file.name;
    const url = new URL(form.action, window.location.href);
    url.searchParams.set('bucket', bucket);
    url.searchParams.set('key', key);
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.setRequestHeader('RequestVerificationToken', form.querySelector('input[name="__csrf"]').value);
    request.upload.addEventListener('progress', (e) => { if (e.lengthComputable) show(Math.floor((e.loaded * 100) / e.total)); });
    request.addEventListener('load', () => {
      let answer = {};
      try { answer = JSON.parse(request.responseText); } catch { /* not JSON: the status says it */ }
      if (request.status === 200) {
        show(100);
        outcome.textContent = `Uploaded ${answer.key} (${answer.size} bytes) into ${answer.bucket}.`;
        document.getElementById('Bucket').value = answer.bucket;
        document.getElementById('ObjectKey').value = answer.key;
      } else {
        outcome.textContent = answer.message || `The upload failed (HTTP ${request.status}).`;
      }
    });
    request.addEventListener('error', () => { outcome.textContent = 'The upload failed: the connection was lost.'; });
    outcome.textContent = `Uploading ${file.name}…`;
    show(0);
    request.send(file);
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
