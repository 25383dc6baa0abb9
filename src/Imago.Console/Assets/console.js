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
      status.textContent = state.status;
      if (!active.includes(state.status)) { window.location.reload(); return; }
    } catch { /* the service restarting: try again */ }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 1000);
});
