// pg-cron-scheduler dashboard: optional enhancements; every page works without this file.
// - the job form's cron field shows its meaning and next five instants as you type (GET preview,
//   debounced; the URL comes from the form's data-preview-url, relative to the page);
// - forms with data-confirm ask before they are sent.
(() => {
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  const form = document.querySelector('form[data-preview-url]');
  if (!form) return;
  const cron = form.elements.namedItem('cron');
  const zone = form.elements.namedItem('timezone');
  const description = document.getElementById('cron-description');
  const problem = document.getElementById('cron-problem');
  const next = document.getElementById('cron-next');
  if (!cron || !zone || !description || !problem || !next) return;

  let timer;
  let latest = 0;

  const show = (text, error, instants) => {
    description.textContent = text;
    problem.textContent = error;
    problem.hidden = error === '';
    next.replaceChildren(
      ...instants.map((instant) => {
        const item = document.createElement('li');
        const time = document.createElement('time');
        time.dateTime = instant.iso;
        time.textContent = instant.text;
        item.append(time);
        return item;
      }),
    );
  };

  const update = async () => {
    const asked = ++latest;
    const url = new URL(form.dataset.previewUrl, window.location.href);
    url.searchParams.set('cron', cron.value);
    url.searchParams.set('timezone', zone.value);
    try {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      const body = response.ok ? await response.json() : null;
      // An older answer that arrives late must not replace a newer one.
      if (asked !== latest) return;
      if (!body) show('', `The preview is unavailable (${response.status}).`, []);
      else if (body.error) show('', body.error.charAt(0).toUpperCase() + body.error.slice(1), []);
      else show(body.description, '', body.next);
    } catch {
      if (asked === latest) show('', 'The preview is unavailable right now.', []);
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  };
  cron.addEventListener('input', schedule);
  zone.addEventListener('input', schedule);
  zone.addEventListener('change', schedule);
})();
