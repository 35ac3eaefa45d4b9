/**
 * The portal's only static assets, served by the app itself (no bundler, no CDN): one stylesheet at
 * `/assets/portal.css` and one small script at `/assets/portal.js` (progressive enhancement only;
 * every screen works without it). Both are cached for an hour and allowed by the portal's CSP
 * (`'self'`).
 */

export const PORTAL_CSS = `
:root {
  --fg: #1f2328; --muted: #5f6368; --faint: #8a8f98; --line: #e3e3e0; --bg: #ffffff; --side: #f7f7f5;
  --hover: #efefed; --accent: #2563eb; --accent-fg: #ffffff; --danger: #c62828; --danger-bg: #fdecea;
  --ok: #1b7f3b; --ok-bg: #e8f5ec; --warn-bg: #fff8e1; --warn-line: #f0d58a; --radius: 6px;
  --mono: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  --sans: -apple-system, BlinkMacSystemFont, "Segoe UI", "DejaVu Sans", Roboto, Helvetica, Arial, sans-serif;
}
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; }
body { font: 15px/1.5 var(--sans); color: var(--fg); background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; border-radius: 3px; }
.skip { position: absolute; left: -9999px; top: 0; }
.skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 6px 10px; z-index: 10; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

/* Top bar */
.topbar { display: flex; align-items: center; gap: 16px; height: 48px; padding: 0 16px; border-bottom: 1px solid var(--line); background: var(--bg); }
.brand { font-weight: 700; color: var(--fg); letter-spacing: -0.01em; display: flex; align-items: center; gap: 8px; }
.brand-mark { display: inline-grid; place-items: center; width: 22px; height: 22px; border-radius: 5px; background: var(--fg); color: #fff; font-size: 13px; }
.topnav { display: flex; gap: 4px; margin-left: 8px; }
.topnav a { color: var(--muted); padding: 6px 10px; border-radius: var(--radius); }
.topnav a[aria-current="page"] { color: var(--fg); background: var(--hover); font-weight: 600; }
.topnav a:hover { background: var(--hover); text-decoration: none; }
.spacer { flex: 1; }
.who { color: var(--muted); font-size: 14px; }
.inline { display: inline; margin: 0; }

/* Shell */
.shell { display: grid; grid-template-columns: 260px 1fr; min-height: calc(100vh - 48px); }
.sidebar { background: var(--side); border-right: 1px solid var(--line); padding: 12px 8px; overflow: auto; }
.sidebar h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--faint); margin: 12px 8px 6px; font-weight: 600; }
.sidebar ul { list-style: none; margin: 0; padding: 0; }
.sidebar a.item { display: flex; gap: 6px; align-items: center; padding: 4px 8px; border-radius: var(--radius); color: var(--fg); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.sidebar a.item:hover { background: var(--hover); text-decoration: none; }
.sidebar a.item[aria-current="page"] { background: var(--hover); font-weight: 600; }
.ws-switch { margin: 0 8px 8px; }
.ws-switch select { width: 100%; }
main { padding: 32px 48px 64px; max-width: 980px; width: 100%; }
.d1 { padding-left: 20px !important; } .d2 { padding-left: 34px !important; } .d3 { padding-left: 48px !important; }
.d4 { padding-left: 62px !important; } .d5 { padding-left: 76px !important; } .d6 { padding-left: 90px !important; }
.d7 { padding-left: 104px !important; } .d8 { padding-left: 118px !important; }
.icon { width: 20px; text-align: center; flex: none; }

/* Type */
h1 { font-size: 30px; line-height: 1.2; margin: 0 0 8px; letter-spacing: -0.01em; }
h1 .emoji { margin-right: 8px; }
.lede { color: var(--muted); margin: 0 0 24px; }
.crumbs { color: var(--muted); font-size: 14px; margin-bottom: 16px; }
.crumbs a { color: var(--muted); }
.crumbs span[aria-hidden] { margin: 0 6px; color: var(--faint); }

/* Controls */
button, .button { font: inherit; font-size: 14px; display: inline-flex; align-items: center; gap: 6px; padding: 6px 12px; border-radius: var(--radius);
  border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; text-decoration: none; line-height: 1.4; white-space: nowrap; }
button:hover, .button:hover { background: var(--hover); text-decoration: none; }
.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-fg); }
.primary:hover { background: #1d4fd8; }
.danger { color: var(--danger); border-color: #f1b5b0; }
.danger.solid { background: var(--danger); color: #fff; border-color: var(--danger); }
.link-button { border: none; background: none; padding: 0; color: var(--accent); }
.link-button:hover { background: none; text-decoration: underline; }
label { font-weight: 600; font-size: 14px; display: block; margin-bottom: 4px; }
.hint { color: var(--muted); font-size: 13px; margin: 4px 0 0; font-weight: 400; }
input[type=text], input[type=email], input[type=password], input[type=search], select {
  font: inherit; font-size: 14px; padding: 7px 10px; border: 1px solid #cfcfcb; border-radius: var(--radius); width: 100%; background: #fff; color: var(--fg); }
input:focus, select:focus { outline: 2px solid var(--accent); outline-offset: 0; border-color: var(--accent); }
.field { margin-bottom: 18px; }
.row { display: flex; gap: 8px; align-items: center; }
.row input[type=search], .row input[type=text] { flex: 1; width: auto; }
.actions { display: flex; gap: 8px; margin-top: 20px; }
fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: 12px 16px 8px; margin: 0 0 18px; }
legend { font-weight: 600; font-size: 14px; padding: 0 4px; }
.check { display: flex; gap: 10px; align-items: flex-start; font-weight: 400; margin-bottom: 10px; }
.check input { margin-top: 4px; }
.check small { display: block; color: var(--muted); font-size: 13px; }

/* Notices */
.notice { border-radius: var(--radius); padding: 10px 14px; margin: 0 0 18px; border: 1px solid var(--line); background: var(--side); }
.notice.error { background: var(--danger-bg); border-color: #f3c2bd; color: #7f1d1d; }
.notice.ok { background: var(--ok-bg); border-color: #bfe3cb; color: #14532d; }
.notice.warn { background: var(--warn-bg); border-color: var(--warn-line); color: #5b4300; }
.notice strong { display: block; margin-bottom: 2px; }
.notice p { margin: 6px 0 10px; }
.card .notice { margin: 14px 0 0; }

/* Cards and lists */
.card { border: 1px solid var(--line); border-radius: 8px; padding: 20px; background: #fff; }
.list { list-style: none; padding: 0; margin: 0; border: 1px solid var(--line); border-radius: 8px; }
.list > li { display: flex; align-items: center; gap: 12px; padding: 12px 16px; border-top: 1px solid var(--line); }
.list > li:first-child { border-top: none; }
.list .grow { flex: 1; min-width: 0; }
.list .title { font-weight: 600; color: var(--fg); }
.list .meta { color: var(--muted); font-size: 13px; }
.requests .why { margin: 4px 0 0; }
.requests .fix { margin: 2px 0 0; color: var(--muted); font-size: 13px; }
.avatar { display: inline-grid; place-items: center; width: 32px; height: 32px; border-radius: 6px; background: #eef2ff; color: #3730a3; font-weight: 700; flex: none; }
.pill { display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 999px; background: var(--hover); color: var(--muted); }
.pill.blue { background: #e8efff; color: #1e40af; }
.section-head { display: flex; align-items: center; justify-content: space-between; margin: 0 0 12px; gap: 12px; }
.section-head h2 { font-size: 18px; margin: 0; }
.empty { color: var(--muted); padding: 16px; }

/* Tabs */
.tabs { display: flex; gap: 4px; border-bottom: 1px solid var(--line); margin: 0 0 24px; }
.tabs a { padding: 8px 12px; color: var(--muted); border-bottom: 2px solid transparent; margin-bottom: -1px; }
.tabs a[aria-current="page"] { color: var(--fg); border-bottom-color: var(--fg); font-weight: 600; }
.tabs a:hover { text-decoration: none; color: var(--fg); }

/* Token */
.token { display: flex; gap: 8px; align-items: center; }
.token input { font-family: var(--mono); font-size: 13px; }

/* Page view */
.page-head { display: flex; align-items: flex-start; gap: 12px; }
.page-head h1 { flex: 1; }
.menu { position: relative; }
.menu > summary { list-style: none; cursor: pointer; padding: 4px 10px; border-radius: var(--radius); border: 1px solid transparent; font-size: 18px; line-height: 1; color: var(--muted); }
.menu > summary::-webkit-details-marker { display: none; }
.menu > summary:hover, .menu[open] > summary { background: var(--hover); }
.menu-panel { position: absolute; right: 0; top: 34px; z-index: 5; min-width: 220px; background: #fff; border: 1px solid var(--line); border-radius: 8px; box-shadow: 0 8px 24px rgba(0,0,0,.12); padding: 6px; }
.menu-panel a { display: block; padding: 6px 10px; border-radius: var(--radius); color: var(--fg); }
.menu-panel a:hover { background: var(--hover); text-decoration: none; }
.panel { border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 8px 0 28px; box-shadow: 0 4px 16px rgba(0,0,0,.06); }
.panel h2 { font-size: 16px; margin: 0 0 12px; }
.why { margin-top: 4px; }
.why summary { cursor: pointer; color: var(--accent); font-size: 13px; }
.why p { margin: 6px 0 0; font-size: 13px; color: var(--fg); }
.doc { font-size: 16px; line-height: 1.65; }
.doc p { margin: 4px 0; min-height: 1em; }
.doc h2 { font-size: 24px; margin: 28px 0 6px; } .doc h3 { font-size: 20px; margin: 22px 0 4px; } .doc h4 { font-size: 17px; margin: 18px 0 4px; }
.doc ul, .doc ol { margin: 4px 0; padding-left: 26px; }
.doc .todo { list-style: none; padding-left: 2px; }
.doc .todo li { display: flex; gap: 8px; }
.doc .todo .done { color: var(--faint); text-decoration: line-through; }
.doc blockquote { border-left: 3px solid var(--fg); margin: 8px 0; padding: 2px 14px; }
.doc pre { background: #f6f6f4; border-radius: var(--radius); padding: 12px 14px; overflow: auto; font: 13px/1.5 var(--mono); }
.doc code { background: #f1f1ef; color: #c7254e; padding: 1px 4px; border-radius: 4px; font: 0.88em var(--mono); }
.doc pre code { background: none; color: inherit; padding: 0; }
.doc .callout { display: flex; gap: 10px; background: #f1f5ff; border-radius: var(--radius); padding: 12px 14px; margin: 8px 0; }
.doc hr { border: none; border-top: 1px solid var(--line); margin: 16px 0; }
.doc details { margin: 4px 0; } .doc details > summary { cursor: pointer; }
.doc details > div { padding-left: 22px; }
.doc table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
.doc td, .doc th { border: 1px solid var(--line); padding: 6px 10px; text-align: left; }
.doc th { background: var(--side); }
.doc .columns { display: flex; gap: 24px; } .doc .columns > div { flex: 1; min-width: 0; }
.doc .bookmark, .doc .embed { display: block; border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 14px; margin: 8px 0; }
.doc .subpage { display: flex; gap: 6px; padding: 3px 0; }
.doc .caption { color: var(--muted); font-size: 13px; }
.doc .equation { font-family: var(--mono); }
.doc .mention { color: var(--muted); }
.doc .c-gray { color: #787774; } .doc .c-brown { color: #9f6b53; } .doc .c-orange { color: #d9730d; } .doc .c-yellow { color: #cb912f; }
.doc .c-green { color: #448361; } .doc .c-blue { color: #337ea9; } .doc .c-purple { color: #9065b0; } .doc .c-pink { color: #c14c8a; } .doc .c-red { color: #d44c47; }

/* Page picker */
.picker { max-height: 440px; overflow: auto; border: 1px solid var(--line); border-radius: 8px; padding: 6px; }
.picker label { display: flex; gap: 8px; align-items: center; font-weight: 400; padding: 4px 8px; border-radius: var(--radius); margin: 0; }
.picker label:hover { background: var(--hover); }
.picker .via { color: var(--faint); font-size: 12px; }
.picker [hidden] { display: none; }

/* Sign in */
.auth { max-width: 400px; margin: 72px auto; padding: 0 16px; }
.auth .card { padding: 28px; }
.auth h1 { font-size: 24px; text-align: center; margin-bottom: 4px; }
.auth .lede { text-align: center; }
.people { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.people button { width: 100%; justify-content: flex-start; padding: 8px 12px; }
.people .meta { color: var(--muted); font-size: 13px; margin-left: auto; }
.divider { text-align: center; color: var(--faint); font-size: 13px; margin: 22px 0 14px; border-top: 1px solid var(--line); line-height: 0; }
.divider span { background: #fff; padding: 0 8px; }

/* Tables (tokens, members, audit) */
.grid { width: 100%; border-collapse: separate; border-spacing: 0; border: 1px solid var(--line); border-radius: 8px; font-size: 14px; }
.grid th, .grid td { text-align: left; vertical-align: top; padding: 10px 12px; border-top: 1px solid var(--line); }
.grid thead th { border-top: none; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--faint); font-weight: 600; background: var(--side); }
.grid thead th:first-child { border-top-left-radius: 8px; } .grid thead th:last-child { border-top-right-radius: 8px; }
.grid tbody th { font-weight: 600; }
.grid .meta { color: var(--muted); font-size: 12px; font-weight: 400; }
.grid .actions-cell { text-align: right; white-space: nowrap; }
.grid .actions-cell form + form { margin-left: 6px; }
.grid .row select { width: auto; }
.grid.audit td { font-size: 13px; }
.grid.audit code { font: 12px var(--mono); background: var(--side); padding: 1px 5px; border-radius: 4px; }
.nowrap { white-space: nowrap; }
.grid td:not(.meta) { white-space: nowrap; }
.grid.audit td.meta { min-width: 280px; }
.reveal { font-weight: 400; }
.grid tr.reveal-row td { border-top: none; padding-top: 0; }
.card-title { font-size: 18px; margin: 0 0 14px; }
.reveal label { font-size: 12px; color: var(--muted); }
.pill.green { background: var(--ok-bg); color: var(--ok); }
.pill.warn { background: var(--warn-bg); color: #8a6100; }
.avatar.small { width: 26px; height: 26px; font-size: 12px; border-radius: 50%; }
.person { display: flex; gap: 10px; align-items: center; }
.filters select { width: auto; }
.row.wrap { flex-wrap: wrap; justify-content: space-between; margin-bottom: 12px; }
.list.compact > li { padding: 8px 12px; }
.group { margin-bottom: 16px; }
.add-member { margin-top: 12px; } .add-member select { width: auto; min-width: 220px; }
.share-button { margin-top: 4px; }
.invite { margin-bottom: 14px; } .invite select:first-of-type { flex: 1; width: auto; } .invite select { width: auto; }
.share-list .row select { width: auto; }
.notice form.inline button { margin-top: 6px; }
@media (max-width: 760px) { .shell { grid-template-columns: 1fr; } .sidebar { border-right: none; border-bottom: 1px solid var(--line); } main { padding: 24px 18px; } }
`

export const PORTAL_JS = `
(function () {
  // Copy buttons: data-copy="<id of an input>".
  document.querySelectorAll('[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var input = document.getElementById(button.getAttribute('data-copy'));
      if (!input) return;
      var done = function () { var old = button.textContent; button.textContent = 'Copied'; setTimeout(function () { button.textContent = old; }, 1500); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      else { input.select(); try { document.execCommand('copy'); done(); } catch (e) {} }
    });
  });
  // "Copy" next to a hidden token: fetch it (same form, same CSRF token) and copy it without showing it.
  document.querySelectorAll('[data-copy-token]').forEach(function (button) {
    button.addEventListener('click', function (e) {
      if (!(navigator.clipboard && window.isSecureContext)) return; // falls back to showing the token
      e.preventDefault();
      var form = button.form;
      var data = new URLSearchParams(new FormData(form));
      data.set('then', 'copy');
      fetch(form.action, { method: 'POST', body: data, headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
        .then(function (j) { return navigator.clipboard.writeText(j.token); })
        .then(function () { var old = button.textContent; button.textContent = 'Copied'; setTimeout(function () { button.textContent = old; }, 1500); })
        .catch(function () { form.requestSubmit(button); });
    });
  });
  // Live filters: data-filter="<id of a list>" on a search input; items carry data-text, and
  // data-path (their ancestors' ids) so a match keeps its ancestors visible.
  document.querySelectorAll('[data-filter]').forEach(function (input) {
    var list = document.getElementById(input.getAttribute('data-filter'));
    if (!list) return;
    var items = Array.prototype.slice.call(list.querySelectorAll('[data-text]'));
    var byId = {};
    items.forEach(function (el) { if (el.id) byId[el.id] = el; });
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      var keep = {};
      items.forEach(function (el) {
        if (!q || el.getAttribute('data-text').indexOf(q) !== -1) {
          keep[el.id] = true;
          (el.getAttribute('data-path') || '').split(' ').forEach(function (a) { if (a) keep[a] = true; });
        }
      });
      items.forEach(function (el) { el.hidden = !keep[el.id]; });
    });
  });
  // Escape closes an open ••• menu and returns focus to its button.
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    document.querySelectorAll('details.menu[open]').forEach(function (d) { d.open = false; var s = d.querySelector('summary'); if (s) s.focus(); });
  });
  // Workspace switcher without a Go button.
  document.querySelectorAll('[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
    var go = select.form.querySelector('.js-hide'); if (go) go.hidden = true;
  });
})();
`
