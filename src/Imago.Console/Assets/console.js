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
