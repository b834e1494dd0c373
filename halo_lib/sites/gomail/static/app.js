// GoMail: a Gmail-like single-page app over HaloSite.state (email.emails keyed by id, settings.customLabels,
// ui.snackbar, filter.searchData / searchResults). Every change: mutate state, re-render, await save().
(function () {
  const H = window.HaloSite;
  const PAGE = 50;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

  const FOLDERS = [
    { key: 'inbox', name: 'Inbox', icon: 'inbox' },
    { key: 'starred', name: 'Starred', icon: 'starOutline' },
    { key: 'snoozed', name: 'Snoozed', icon: 'clock' },
    { key: 'sent', name: 'Sent', icon: 'send' },
    { key: 'drafts', name: 'Drafts', icon: 'draft' },
    { key: 'all', name: 'All Mail', icon: 'mail' },
    { key: 'spam', name: 'Spam', icon: 'spam' },
    { key: 'trash', name: 'Trash', icon: 'trash' },
  ];

  const ui = { route: null, page: 0, selected: new Set(), allMatching: false, menu: null, reply: null, snackTimer: null };

  // ---------- data helpers ----------
  const S = () => H.state;
  const emails = () => S().email.emails;
  const me = () => S().email.user;
  const contacts = () => S().email.contacts;
  const labels = () => S().settings.customLabels;

  function folderOf(e) {
    if (e.trash) return 'trash';
    if (e.spam) return 'spam';
    if (e.draft) return 'drafts';
    if (e.snoozed) return 'snoozed';
    if (e.sent) return 'sent';
    if (e.archived) return 'all';
    return 'inbox';
  }

  function matches(e, q) {
    const hay = [e.fromName, e.from, (e.to || []).join(' '), e.subject, e.content].join(' ').toLowerCase();
    return q.toLowerCase().split(/\s+/).filter(Boolean).every((tok) => {
      const m = tok.match(/^(from|to|subject|is|label):(.+)$/);
      if (!m) return hay.includes(tok);
      const v = m[2];
      if (m[1] === 'from') return (e.fromName + ' ' + e.from).toLowerCase().includes(v);
      if (m[1] === 'to') return (e.to || []).join(' ').toLowerCase().includes(v);
      if (m[1] === 'subject') return (e.subject || '').toLowerCase().includes(v);
      if (m[1] === 'label') return (e.labels || []).some((l) => l.toLowerCase() === v);
      if (v === 'starred') return e.starred;
      if (v === 'unread') return !e.isRead;
      if (v === 'read') return e.isRead;
      return false;
    });
  }

  function inView(e, r) {
    switch (r.folder) {
      case 'inbox': return !e.sent && !e.draft && !e.trash && !e.archived && !e.spam && !e.snoozed;
      case 'starred': return e.starred && !e.trash && !e.spam && !e.draft;
      case 'snoozed': return e.snoozed && !e.trash;
      case 'sent': return e.sent && !e.trash;
      case 'drafts': return e.draft && !e.trash;
      case 'all': return !e.trash && !e.spam && !e.draft;
      case 'spam': return e.spam && !e.trash;
      case 'trash': return e.trash;
      case 'label': return (e.labels || []).includes(r.label) && !e.trash && !e.spam;
      case 'search': return !e.trash && !e.spam && !e.draft && matches(e, r.q);
    }
    return false;
  }

  const byDate = (a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : Number(b.id) - Number(a.id));
  const listFor = (r) => Object.values(emails()).filter((e) => inView(e, r)).sort(byDate);
  const nextId = () => String(Math.max(0, ...Object.keys(emails()).map(Number).filter((n) => !isNaN(n))) + 1);
  const unreadInbox = () => Object.values(emails()).filter((e) => inView(e, { folder: 'inbox' }) && !e.isRead).length;
  const contactName = (addr) => {
    const c = contacts().find((x) => x.email.toLowerCase() === String(addr).toLowerCase());
    return c ? c.name : addr;
  };

  function shortDate(iso) {
    const d = new Date(iso), p = H.parts(d), n = H.parts(H.now());
    if (p.year === n.year && p.month === n.month && p.day === n.day) return H.fmt(d, { hour: 'numeric', minute: '2-digit' });
    if (p.year === n.year) return H.fmt(d, { month: 'short', day: 'numeric' });
    return H.fmt(d, { month: 'numeric', day: 'numeric', year: '2-digit' });
  }
  function longDate(iso) {
    const d = new Date(iso);
    const days = Math.floor((H.now() - d) / 86400000);
    const ago = days <= 0 ? '' : days === 1 ? ' (1 day ago)' : ` (${days} days ago)`;
    return H.fmt(d, { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' }) + ago;
  }
  const initials = (name) => (String(name || '?').trim()[0] || '?').toUpperCase();
  function colorFor(s) {
    const palette = ['#e8710a', '#1a73e8', '#d93025', '#188038', '#9334e6', '#c5221f', '#12b5cb', '#e52592', '#f9ab00', '#5f6368'];
    let h = 0;
    for (const ch of String(s)) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return palette[h % palette.length];
  }
  const avatar = (name, key) => `<span class="avatar" aria-hidden="true" style="background:${colorFor(key || name)}">${esc(initials(name))}</span>`;

  // ---------- persistence ----------
  async function commit(message) {
    if (message !== undefined) {
      S().ui.snackbar = { message, open: true };
      showSnack(message);
    }
    refreshSearchSnapshot();
    render();
    await H.save();
  }
  function refreshSearchSnapshot() {
    const f = S().filter;
    if (!f || !Array.isArray(f.searchResults)) return;
    f.searchResults = f.searchResults.map((r) => {
      const e = emails()[r.id];
      if (!e) return r;
      const out = { id: r.id, snoozed: !!e.snoozed, starred: !!e.starred, isRead: !!e.isRead, trash: !!e.trash };
      if (e.snoozeUntil) out.snoozeUntil = e.snoozeUntil;
      return out;
    });
  }

  // UI state mirrored into S().ui for dense RL rewards (read from /finish): the open compose window's fields,
  // the selected conversations and the open email. Each key exists only while non-empty, so a finished run
  // with nothing open or selected has the same /finish diff as before these keys existed.
  function uiSnapshot() {
    const out = {};
    const el = $('.compose');
    if (el) {
      const chips = (f) => { const row = el.querySelector(`.recip-row[data-field=${f}]`); return row && row._chips ? row._chips.slice() : []; };
      out.compose = { toField: chips('to'), ccField: chips('cc'), bccField: chips('bcc'),
        subjectField: el.querySelector('.compose-subject').value, bodyField: el.querySelector('.compose-text').value };
    }
    if (ui.selected.size) out.selectedIds = [...ui.selected].sort((a, b) => Number(a) - Number(b));
    if (ui.route && ui.route.id) out.openEmailId = ui.route.id;
    return out;
  }
  function persistUi() {
    const u = S().ui;
    const next = uiSnapshot();
    let changed = false;
    for (const k of ['compose', 'selectedIds', 'openEmailId']) {
      if (JSON.stringify(u[k]) === JSON.stringify(next[k])) continue;
      changed = true;
      if (next[k] === undefined) delete u[k]; else u[k] = next[k];
    }
    if (changed) H.save();
  }

  function showSnack(message) {
    const el = $('#snackbar');
    el.innerHTML = `<span class="snack-msg">${esc(message)}</span><button class="snack-close icon-btn small" aria-label="Dismiss">${icon('close')}</button>`;
    el.hidden = false;
    clearTimeout(ui.snackTimer);
    ui.snackTimer = setTimeout(() => { el.hidden = true; }, 8000);
    $('.snack-close', el).onclick = () => { el.hidden = true; };
  }

  // ---------- routing ----------
  function parseRoute(path) {
    const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    let r;
    if (segs[0] === 'search') r = { folder: 'search', q: segs[1] || '', rest: segs.slice(2) };
    else if (segs[0] === 'label') r = { folder: 'label', label: segs[1] || '', rest: segs.slice(2) };
    else if (FOLDERS.some((f) => f.key === segs[0])) r = { folder: segs[0], rest: segs.slice(1) };
    else r = { folder: 'inbox', rest: [] };
    r.id = r.rest && r.rest.length ? r.rest[0] : null;
    delete r.rest;
    return r;
  }
  function listPath(r) {
    if (r.folder === 'search') return '/search/' + encodeURIComponent(r.q);
    if (r.folder === 'label') return '/label/' + encodeURIComponent(r.label);
    return '/' + r.folder;
  }
  function go(path, replace) {
    if (replace) history.replaceState({}, '', path);
    else history.pushState({}, '', path);
    onRoute();
  }
  function onRoute() {
    const prev = ui.route;
    ui.route = parseRoute(location.pathname);
    if (!prev || listPath(prev) !== listPath(ui.route)) {
      ui.page = 0;
      ui.selected.clear();
      ui.allMatching = false;
    }
    ui.reply = null;
    closeMenu();
    const r = ui.route;
    $('#search-input').value = r.folder === 'search' ? r.q : '';
    $('#search-clear').hidden = r.folder !== 'search';
    if (r.id) {
      const e = emails()[r.id];
      if (e && e.draft) { openCompose(e); go(listPath(r), true); return; }
      if (e && !e.isRead) { e.isRead = true; commit(); return; }
    }
    render();
  }

  // ---------- rendering ----------
  function render() {
    renderRail();
    const r = ui.route;
    const title = r.folder === 'search' ? `Search results - ${r.q}` : r.folder === 'label' ? r.label : (FOLDERS.find((f) => f.key === r.folder) || {}).name;
    document.title = `${title} - ${me().email} - GoMail`;
    if (r.id && emails()[r.id]) renderEmail(emails()[r.id]);
    else renderList();
    persistUi();
  }

  function renderRail() {
    const r = ui.route;
    const unread = unreadInbox();
    const drafts = Object.values(emails()).filter((e) => e.draft && !e.trash).length;
    const item = (href, ic, name, active, count, extra) =>
      `<a class="nav-item${active ? ' active' : ''}" href="${href}" data-link ${active ? 'aria-current="page"' : ''} aria-label="${esc(name)}${count ? ` ${count} unread` : ''}">
        ${ic}<span class="nav-name">${esc(name)}</span>${count ? `<span class="nav-count">${count}</span>` : ''}${extra || ''}</a>`;
    $('#rail').innerHTML = `
      <button class="compose-btn" id="compose-btn" aria-label="Compose">${icon('edit')}<span>Compose</span></button>
      <div class="nav-list">
        ${FOLDERS.map((f) => item('/' + f.key, icon(f.icon), f.name, r.folder === f.key, f.key === 'inbox' ? unread : f.key === 'drafts' ? drafts : 0)).join('')}
      </div>
      <div class="labels-head"><h2>Labels</h2><button class="icon-btn small" id="new-label-btn" aria-label="Create new label" title="Create new label">${icon('add')}</button></div>
      <div class="nav-list labels-list">
        ${labels().map((l) => item('/label/' + encodeURIComponent(l.label), `<svg class="ic" viewBox="0 0 24 24" aria-hidden="true"><path fill="${esc(l.color || '#9aa0a6')}" d="M17.63 5.84C17.27 5.33 16.67 5 16 5L5 5.01C3.9 5.01 3 5.9 3 7v10c0 1.1.9 1.99 2 1.99L16 19c.67 0 1.27-.33 1.63-.84L22 12l-4.37-6.16z"/></svg>`, l.label, r.folder === 'label' && r.label === l.label, 0)).join('')}
      </div>`;
  }

  function folderTitle(r) {
    if (r.folder === 'search') return 'Search results';
    if (r.folder === 'label') return r.label;
    return FOLDERS.find((f) => f.key === r.folder).name;
  }

  function toolbarButtons(r, sel) {
    const b = (act, ic, label) => `<button class="icon-btn" data-act="${act}" aria-label="${label}" title="${label}">${icon(ic)}</button>`;
    if (!sel) {
      return b('refresh', 'refresh', 'Refresh') + `<button class="icon-btn" data-menu="more" aria-label="More email options" title="More" aria-haspopup="menu">${icon('more')}</button>`;
    }
    if (r.folder === 'trash') {
      return `<button class="text-btn" data-act="forever">Delete forever</button>` + b('restore', 'inbox', 'Move to Inbox') + b('read', 'mailOpen', 'Mark as read') + b('unread', 'mail', 'Mark as unread');
    }
    const first = r.folder === 'spam'
      ? `<button class="text-btn" data-act="notspam">Not spam</button>` + b('trash', 'trash', 'Delete')
      : (r.folder === 'all' || r.folder === 'snoozed' || r.folder === 'label' || r.folder === 'search' ? b('restore', 'inbox', 'Move to Inbox') : '') +
        b('archive', 'archive', 'Archive') + b('spam', 'spam', 'Report spam') + b('trash', 'trash', 'Delete');
    return first + '<span class="tb-sep"></span>' + b('read', 'mailOpen', 'Mark as read') + b('unread', 'mail', 'Mark as unread') +
      `<button class="icon-btn" data-menu="snooze" aria-label="Snooze" title="Snooze" aria-haspopup="menu">${icon('clock')}</button>` +
      '<span class="tb-sep"></span>' +
      `<button class="icon-btn" data-menu="labelas" aria-label="Label as" title="Label as" aria-haspopup="menu">${icon('label')}</button>` +
      `<button class="icon-btn" data-menu="more" aria-label="More email options" title="More" aria-haspopup="menu">${icon('more')}</button>`;
  }

  function renderList() {
    const r = ui.route;
    const all = listFor(r);
    const pages = Math.max(1, Math.ceil(all.length / PAGE));
    if (ui.page >= pages) ui.page = pages - 1;
    const start = ui.page * PAGE;
    const rows = all.slice(start, start + PAGE);
    const ids = new Set(all.map((e) => e.id));
    for (const id of [...ui.selected]) if (!ids.has(id)) ui.selected.delete(id);
    const selOnPage = rows.filter((e) => ui.selected.has(e.id)).length;
    const allOnPage = rows.length > 0 && selOnPage === rows.length;
    if (!allOnPage) ui.allMatching = false;
    const selCount = ui.allMatching ? all.length : ui.selected.size;
    const range = all.length ? `${start + 1}–${start + rows.length} of ${all.length}` : '';
    const fname = folderTitle(r);

    let banner = '';
    if (allOnPage && all.length > rows.length) {
      banner = ui.allMatching
        ? `<div class="select-banner" role="status">All <b>${all.length}</b> conversations in ${esc(fname)} are selected. <button class="link-btn" data-act="clearsel">Clear selection</button></div>`
        : `<div class="select-banner" role="status">All <b>${rows.length}</b> conversations on this page are selected. <button class="link-btn" data-act="selectall-matching">Select all ${all.length} conversations in ${esc(fname)}</button></div>`;
    }
    const trashNote = r.folder === 'trash' && all.length
      ? `<div class="folder-note">Messages that have been in Trash more than 30 days will be automatically deleted. <button class="link-btn" data-act="emptytrash">Empty Trash now</button></div>` : '';
    const searchHead = r.folder === 'search' ? `<div class="folder-note">Search results for <b>${esc(r.q)}</b></div>` : '';

    const rowHtml = (e) => {
      const sentView = r.folder === 'sent' || r.folder === 'drafts' || e.sent || e.draft;
      const who = e.draft ? '<span class="draft-tag">Draft</span>' : sentView ? 'To: ' + esc((e.to || []).map(contactName).join(', ') || '(no recipients)') : esc(e.fromName || e.from);
      const checked = ui.selected.has(e.id) || ui.allMatching;
      const snippet = String(e.content || '').replace(/\s+/g, ' ').slice(0, 140);
      const chips = [];
      if ((r.folder === 'search' || r.folder === 'all' || r.folder === 'label') && folderOf(e) !== r.folder) {
        const f = folderOf(e);
        if (f !== 'all') chips.push(FOLDERS.find((x) => x.key === f).name);
      }
      for (const l of e.labels || []) if (!(r.folder === 'label' && r.label === l)) chips.push(l);
      const snoozeNote = e.snoozed && e.snoozeUntil ? `<span class="snooze-note">Snoozed until ${esc(H.fmt(e.snoozeUntil, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }))}</span>` : '';
      return `<div class="mail-row${e.isRead ? ' read' : ' unread'}${checked ? ' selected' : ''}" role="row" data-id="${e.id}" aria-label="${e.isRead ? '' : 'unread, '}${esc(e.fromName || e.from)}, ${esc(e.subject || '(no subject)')}, ${esc(shortDate(e.date))}">
        <span class="cell-check" role="gridcell"><input type="checkbox" class="row-check" data-id="${e.id}" ${checked ? 'checked' : ''} aria-label="Select conversation: ${esc(e.subject || '(no subject)')} from ${esc(e.fromName || e.from)}"></span>
        <span role="gridcell"><button class="star-btn${e.starred ? ' on' : ''}" data-star="${e.id}" aria-label="${e.starred ? 'Starred' : 'Not starred'}" aria-pressed="${e.starred ? 'true' : 'false'}" title="${e.starred ? 'Starred' : 'Not starred'}">${icon(e.starred ? 'star' : 'starOutline')}</button></span>
        <span class="cell-from" role="gridcell">${who}</span>
        <span class="cell-subject" role="gridcell">${chips.map((c) => `<span class="chip">${esc(c)}</span>`).join('')}<span class="subj">${esc(e.subject || '(no subject)')}</span><span class="snip"> - ${esc(snippet)}</span>${snoozeNote}</span>
        <span class="cell-date" role="gridcell">${esc(shortDate(e.date))}</span>
        <span class="row-actions" role="gridcell">
          ${r.folder === 'trash' ? '' : `<button class="icon-btn small" data-rowact="archive" aria-label="Archive" title="Archive">${icon('archive')}</button>
          <button class="icon-btn small" data-rowact="trash" aria-label="Delete" title="Delete">${icon('trash')}</button>`}
          <button class="icon-btn small" data-rowact="${e.isRead ? 'unread' : 'read'}" aria-label="${e.isRead ? 'Mark as unread' : 'Mark as read'}" title="${e.isRead ? 'Mark as unread' : 'Mark as read'}">${icon(e.isRead ? 'mail' : 'mailOpen')}</button>
          ${r.folder === 'trash' ? '' : `<button class="icon-btn small" data-rowact="snooze" aria-label="Snooze" title="Snooze">${icon('clock')}</button>`}
        </span>
      </div>`;
    };

    const empty = {
      inbox: 'Your inbox is empty. Woohoo!', starred: "No starred messages. Stars let you give messages a special status to make them easier to find.",
      snoozed: 'Nothing snoozed. Snooze conversations to bring them back to your inbox at a better time.', sent: 'No sent messages! Send one now!',
      drafts: "You don't have any saved drafts.", spam: 'Hooray, no spam here!', trash: 'No conversations in Trash.', all: 'No conversations.',
      label: 'There are no conversations with this label.', search: 'No messages matched your search.',
    }[r.folder];

    $('#main').innerHTML = `
      <section class="list-view" aria-label="${esc(fname)}">
        <div class="toolbar" role="toolbar" aria-label="Email actions">
          <span class="selall">
            <input type="checkbox" id="select-all" aria-label="Select all" ${allOnPage ? 'checked' : ''}>
            <button class="icon-btn tiny" data-menu="select" aria-label="Select options" aria-haspopup="menu">${icon('drop')}</button>
          </span>
          ${toolbarButtons(r, selCount > 0)}
          ${selCount ? `<span class="sel-count">${selCount} selected</span>` : ''}
          <span class="spacer"></span>
          <span class="range" aria-label="Showing ${esc(range)}">${esc(range)}</span>
          <button class="icon-btn" data-act="prev" aria-label="Newer" title="Newer" ${ui.page === 0 ? 'disabled' : ''}>${icon('left')}</button>
          <button class="icon-btn" data-act="next" aria-label="Older" title="Older" ${ui.page >= pages - 1 ? 'disabled' : ''}>${icon('right')}</button>
        </div>
        ${banner}${trashNote}${searchHead}
        <div class="mail-list" role="grid" aria-label="Conversations in ${esc(fname)}">
          ${rows.length ? rows.map(rowHtml).join('') : `<div class="empty">${esc(empty)}</div>`}
        </div>
        <footer class="list-foot">${esc(me().email)} · Using 2.1 GB of 15 GB · Last account activity: 0 minutes ago</footer>
      </section>`;
    const sa = $('#select-all');
    sa.indeterminate = selOnPage > 0 && !allOnPage;
  }

  function renderEmail(e) {
    const r = ui.route;
    const fname = folderTitle(r);
    const thread = Object.values(emails()).filter((x) => x.replyTo === e.id && !x.draft).sort((a, b) => (a.date < b.date ? -1 : 1));
    const b = (act, ic, label) => `<button class="icon-btn" data-act="${act}" aria-label="${label}" title="${label}">${icon(ic)}</button>`;
    const chip = folderOf(e) === 'all' ? '' : `<span class="chip">${esc(FOLDERS.find((f) => f.key === folderOf(e)).name)}</span>`;
    const msg = (m) => `
      <article class="message" aria-label="Message from ${esc(m.fromName || m.from)}">
        <div class="msg-head">
          ${avatar(m.fromName || m.from, m.from)}
          <div class="msg-who">
            <div><span class="sender-name">${esc(m.fromName || m.from)}</span> <span class="sender-addr">&lt;${esc(m.from)}&gt;</span></div>
            <div class="to-line">to ${esc((m.to || []).map((a) => (a === me().email ? 'me' : contactName(a))).join(', '))}${(m.cc || []).length ? ', cc: ' + esc(m.cc.join(', ')) : ''}</div>
          </div>
          <span class="msg-date">${esc(longDate(m.date))}</span>
          ${m.id === e.id ? `<button class="star-btn${e.starred ? ' on' : ''}" data-star="${e.id}" aria-label="${e.starred ? 'Starred' : 'Not starred'}" aria-pressed="${e.starred}">${icon(e.starred ? 'star' : 'starOutline')}</button>` : ''}
          <button class="icon-btn small" data-act="reply" aria-label="Reply" title="Reply">${icon('reply')}</button>
        </div>
        <div class="msg-body">${esc(m.content)}</div>
      </article>`;
    const replyBox = ui.reply ? `
      <div class="reply-box" role="region" aria-label="Reply">
        ${avatar(me().name, me().email)}
        <div class="reply-card">
          <div class="reply-to">${icon('reply', 'tiny')}<span>To: <span class="chip recip">${esc(contactName(ui.reply.to))}</span></span></div>
          <textarea id="reply-body" aria-label="Reply message body" placeholder="Write your reply…">${esc(ui.reply.body || '')}</textarea>
          <div class="reply-actions">
            <button class="send-btn" id="reply-send">Send</button>
            <span class="spacer"></span>
            <button class="icon-btn small" id="reply-discard" aria-label="Discard reply" title="Discard reply">${icon('trash')}</button>
          </div>
        </div>
      </div>` : `
      <div class="reply-buttons">
        <button class="pill-btn" data-act="reply">${icon('reply')}<span>Reply</span></button>
        <button class="pill-btn" data-act="forward">${icon('forward')}<span>Forward</span></button>
      </div>`;
    $('#main').innerHTML = `
      <section class="email-view" aria-label="Email">
        <div class="toolbar" role="toolbar" aria-label="Email actions">
          <button class="icon-btn" data-act="back" aria-label="Back to ${esc(fname)}" title="Back to ${esc(fname)}">${icon('back')}</button>
          ${e.trash ? `<button class="text-btn" data-act="forever">Delete forever</button>${b('restore', 'inbox', 'Move to Inbox')}` :
            (folderOf(e) === 'inbox' ? '' : b('restore', 'inbox', 'Move to Inbox')) + b('archive', 'archive', 'Archive') + b('spam', 'spam', 'Report spam') + b('trash', 'trash', 'Delete')}
          <span class="tb-sep"></span>
          ${b('unread', 'mail', 'Mark as unread')}
          ${e.trash ? '' : `<button class="icon-btn" data-menu="snooze" aria-label="Snooze" title="Snooze" aria-haspopup="menu">${icon('clock')}</button>`}
          <button class="icon-btn" data-menu="labelas" aria-label="Label as" title="Label as" aria-haspopup="menu">${icon('label')}</button>
          <button class="icon-btn" data-menu="more" aria-label="More email options" title="More" aria-haspopup="menu">${icon('more')}</button>
        </div>
        <div class="email-scroll">
          <h1 class="subject-line">${esc(e.subject || '(no subject)')} ${chip}${(e.labels || []).map((l) => `<span class="chip">${esc(l)}</span>`).join('')}</h1>
          ${msg(e)}
          ${thread.map(msg).join('')}
          ${replyBox}
        </div>
      </section>`;
    if (ui.reply) { const t = $('#reply-body'); t.focus(); t.setSelectionRange(t.value.length, t.value.length); }
  }

  // ---------- actions ----------
  function targetIds() {
    const r = ui.route;
    if (r.id) return [r.id];
    if (ui.allMatching) return listFor(r).map((e) => e.id);
    return [...ui.selected];
  }
  const conv = (n, what) => (n === 1 ? `Conversation ${what}` : `${n} conversations ${what}`);

  async function act(kind, ids, arg) {
    ids = ids || targetIds();
    if (!ids.length) return;
    const E = emails();
    const list = ids.map((id) => E[id]).filter(Boolean);
    let msg;
    const n = list.length;
    switch (kind) {
      case 'trash': list.forEach((e) => { e.trash = true; }); msg = conv(n, 'moved to Trash.'); break;
      case 'forever': list.forEach((e) => { delete E[e.id]; }); msg = conv(n, 'deleted forever.'); break;
      case 'archive': list.forEach((e) => { e.archived = true; }); msg = conv(n, 'archived.'); break;
      case 'spam': list.forEach((e) => { e.spam = true; }); msg = conv(n, 'marked as spam.'); break;
      case 'notspam': list.forEach((e) => { e.spam = false; }); msg = conv(n, 'moved to Inbox.'); break;
      case 'restore':
        list.forEach((e) => { e.trash = false; e.archived = false; e.spam = false; if (e.snoozed) { e.snoozed = false; delete e.snoozeUntil; } });
        msg = conv(n, 'moved to Inbox.'); break;
      case 'read': list.forEach((e) => { e.isRead = true; }); msg = conv(n, 'marked as read.'); break;
      case 'unread': list.forEach((e) => { e.isRead = false; }); msg = conv(n, 'marked as unread.'); break;
      case 'star': list.forEach((e) => { e.starred = true; }); msg = conv(n, 'starred.'); break;
      case 'unstar': list.forEach((e) => { e.starred = false; }); msg = conv(n, 'unstarred.'); break;
      case 'snooze': {
        list.forEach((e) => { e.snoozed = true; e.snoozeUntil = arg; });
        const when = H.fmt(arg, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
        msg = conv(n, `snoozed until ${when}`); break;
      }
      case 'label': {
        const add = !list.every((e) => (e.labels || []).includes(arg));
        list.forEach((e) => {
          e.labels = (e.labels || []).filter((l) => l !== arg);
          if (add) e.labels.push(arg);
        });
        msg = add ? conv(n, `added to "${arg}".`) : conv(n, `removed from "${arg}".`); break;
      }
      default: return;
    }
    ui.selected.clear();
    ui.allMatching = false;
    closeMenu();
    const r = ui.route;
    if (r.id && !['read', 'unread', 'star', 'unstar', 'label'].includes(kind)) {
      history.pushState({}, '', listPath(r));
      ui.route = parseRoute(location.pathname);
    } else if (r.id && kind === 'unread') {
      history.pushState({}, '', listPath(r));
      ui.route = parseRoute(location.pathname);
    }
    await commit(msg);
  }

  // ---------- menus ----------
  function closeMenu() {
    const m = $('#popup-menu');
    if (m) m.remove();
    ui.menu = null;
  }
  function openMenu(anchor, kind, html) {
    closeMenu();
    const m = document.createElement('div');
    m.id = 'popup-menu';
    m.className = 'menu';
    m.setAttribute('role', 'menu');
    m.innerHTML = html;
    document.body.appendChild(m);
    const rect = anchor.getBoundingClientRect();
    m.style.top = `${rect.bottom + 4}px`;
    m.style.left = `${Math.min(rect.left, window.innerWidth - m.offsetWidth - 8)}px`;
    ui.menu = { kind, ids: ui.route.id ? [ui.route.id] : null };
    const first = m.querySelector('[role=menuitem]');
    if (first) first.focus();
  }
  function addDays(p, n) {
    const d = new Date(Date.UTC(p.year, p.month - 1, p.day + n));
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
  }
  function snoozeOptions() {
    const n = H.parts(H.now());
    const at = (p, h) => H.toUtc(p.year, p.month, p.day, h, 0);
    const opts = [];
    if (n.hour < 17) opts.push(['Later today', at(n, 18)]);
    opts.push(['Tomorrow', at(addDays(n, 1), 8)]);
    const toSat = (6 - n.weekday + 7) % 7 || 7;
    const toMon = (1 - n.weekday + 7) % 7 || 7;
    if (n.weekday >= 1 && n.weekday <= 3) opts.push(['Later this week', at(addDays(n, 2), 8)]);
    opts.push(['This weekend', at(addDays(n, toSat), 8)]);
    opts.push(['Next week', at(addDays(n, toMon), 8)]);
    return opts;
  }
  function menuHtml(kind) {
    const it = (attrs, label, right) => `<button class="menu-item" role="menuitem" ${attrs}><span>${esc(label)}</span>${right ? `<span class="menu-right">${esc(right)}</span>` : ''}</button>`;
    if (kind === 'snooze') {
      return `<div class="menu-title">Snooze until…</div>` +
        snoozeOptions().map(([label, d]) => it(`data-snooze="${H.iso(d)}"`, label, H.fmt(d, { weekday: 'short', hour: 'numeric', minute: '2-digit' }))).join('') +
        `<div class="menu-sep"></div>` + it('data-snooze-pick="1"', 'Pick date & time');
    }
    if (kind === 'select') {
      return ['All', 'None', 'Read', 'Unread', 'Starred', 'Unstarred'].map((x) => it(`data-select="${x}"`, x)).join('');
    }
    if (kind === 'labelas') {
      return `<div class="menu-title">Label as:</div>` + labels().map((l) => it(`data-label="${esc(l.label)}"`, l.label)).join('') +
        `<div class="menu-sep"></div>` + it('data-newlabel="1"', 'Create new');
    }
    if (kind === 'more') {
      const sel = ui.route.id || ui.selected.size || ui.allMatching;
      if (!sel) return it('data-markallread="1"', 'Mark all as read') + `<div class="menu-hint">Select messages to see more actions</div>`;
      return it('data-more="star"', 'Add star') + it('data-more="unstar"', 'Remove star') + it('data-more="read"', 'Mark as read') + it('data-more="unread"', 'Mark as unread');
    }
    return '';
  }

  // ---------- dialogs ----------
  function dialog({ title, body, buttons, onOpen, label }) {
    const root = $('#overlay-root');
    root.innerHTML = `<div class="scrim"><div class="dialog" role="dialog" aria-modal="true" aria-label="${esc(label || title)}">
      <h2 class="dialog-title">${esc(title)}</h2><div class="dialog-body">${body}</div>
      <div class="dialog-actions">${buttons.map((b, i) => `<button class="${b.primary ? 'primary-btn' : 'text-btn'}" data-i="${i}">${esc(b.text)}</button>`).join('')}</div></div></div>`;
    const close = () => { root.innerHTML = ''; };
    root.querySelectorAll('.dialog-actions button').forEach((btn) => {
      btn.onclick = async () => { const b = buttons[+btn.dataset.i]; if (b.onClick && (await b.onClick(root)) === false) return; close(); };
    });
    $('.scrim', root).addEventListener('mousedown', (ev) => { if (ev.target.classList.contains('scrim')) close(); });
    if (onOpen) onOpen(root);
    return close;
  }
  const alertDialog = (title, text) => dialog({ title, body: `<p>${esc(text)}</p>`, buttons: [{ text: 'OK', primary: true }] });

  function newLabelDialog() {
    dialog({
      title: 'New label',
      body: `<label class="field-label" for="new-label-name">Please enter a new label name:</label>
        <input id="new-label-name" class="text-input" type="text" autocomplete="off">
        <p class="field-error" id="new-label-error" hidden></p>`,
      buttons: [
        { text: 'Cancel' },
        {
          text: 'Create', primary: true, onClick: async () => {
            const name = $('#new-label-name').value.trim();
            const err = $('#new-label-error');
            if (!name) { err.textContent = 'Please enter a label name.'; err.hidden = false; return false; }
            if (labels().some((l) => l.label.toLowerCase() === name.toLowerCase()) || FOLDERS.some((f) => f.name.toLowerCase() === name.toLowerCase())) {
              err.textContent = 'The label name you have chosen already exists. Please try another name:'; err.hidden = false; return false;
            }
            const colors = ['#f28b82', '#fbbc04', '#ccff90', '#a7ffeb', '#aecbfa', '#d7aefb', '#fdcfe8', '#e6c9a8'];
            labels().push({ id: 'l' + (labels().length + 1) + '-' + name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), label: name, color: colors[labels().length % colors.length] });
            await commit(`Label "${name}" created.`);
          },
        },
      ],
      onOpen: (root) => {
        const inp = $('#new-label-name', root);
        inp.focus();
        inp.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); root.querySelector('.dialog-actions .primary-btn').click(); } });
      },
    });
  }

  function pickSnoozeDialog(ids) {
    const n = H.parts(H.now());
    const t = addDays(n, 1);
    const pad = (x) => String(x).padStart(2, '0');
    dialog({
      title: 'Pick date & time',
      body: `<div class="pick-grid"><label class="field-label" for="snooze-date">Date</label><input id="snooze-date" class="text-input" type="date" value="${t.year}-${pad(t.month)}-${pad(t.day)}">
        <label class="field-label" for="snooze-time">Time</label><input id="snooze-time" class="text-input" type="time" value="08:00"></div>
        <p class="field-error" id="snooze-error" hidden></p>`,
      buttons: [
        { text: 'Cancel' },
        {
          text: 'Save', primary: true, onClick: async () => {
            const dv = $('#snooze-date').value, tv = $('#snooze-time').value || '08:00';
            const err = $('#snooze-error');
            const m = dv.match(/^(\d{4})-(\d{2})-(\d{2})$/), tm = tv.match(/^(\d{2}):(\d{2})/);
            if (!m || !tm) { err.textContent = 'Enter a valid date and time.'; err.hidden = false; return false; }
            const until = H.toUtc(+m[1], +m[2], +m[3], +tm[1], +tm[2]);
            if (until <= H.now()) { err.textContent = 'Pick a time in the future.'; err.hidden = false; return false; }
            await act('snooze', ids, H.iso(until));
          },
        },
      ],
      label: 'Pick date and time',
    });
  }

  // ---------- compose ----------
  let composeSeq = 0;
  function openCompose(draft, preset) {
    const existing = $('.compose');
    if (existing) existing.remove();
    const d = draft || preset || {};
    const el = document.createElement('section');
    el.className = 'compose';
    el.setAttribute('role', 'dialog');
    el.setAttribute('aria-label', 'New Message');
    el.dataset.seq = ++composeSeq;
    if (draft) el.dataset.draftId = draft.id;
    el.innerHTML = `
      <header class="compose-head"><span class="compose-title">New Message</span>
        <button class="icon-btn tiny" data-c="min" aria-label="Minimize" title="Minimize">${icon('minimize')}</button>
        <button class="icon-btn tiny" data-c="full" aria-label="Full screen" title="Full screen">${icon('expand')}</button>
        <button class="icon-btn tiny" data-c="close" aria-label="Save &amp; close" title="Save &amp; close">${icon('close')}</button></header>
      <div class="compose-body">
        <div class="recip-row" data-field="to"><span class="recip-label">To</span><div class="chips"></div>
          <span class="cc-links"><button class="link-btn" data-c="showcc" aria-label="Add Cc recipients">Cc</button><button class="link-btn" data-c="showbcc" aria-label="Add Bcc recipients">Bcc</button></span></div>
        <div class="recip-row" data-field="cc" hidden><span class="recip-label">Cc</span><div class="chips"></div></div>
        <div class="recip-row" data-field="bcc" hidden><span class="recip-label">Bcc</span><div class="chips"></div></div>
        <input class="compose-subject" type="text" placeholder="Subject" aria-label="Subject" value="${esc(d.subject || '')}">
        <textarea class="compose-text" aria-label="Message Body">${esc(d.content || '')}</textarea>
      </div>
      <footer class="compose-foot">
        <span class="send-group"><button class="send-btn" data-c="send">Send</button><button class="send-more" aria-label="More send options" tabindex="-1">${icon('drop')}</button></span>
        <span class="fmt-icons" aria-hidden="true">${['format', 'attach', 'link', 'emoji', 'photo'].map((n) => icon(n)).join('')}</span>
        <span class="spacer"></span>
        <button class="icon-btn small" data-c="more" aria-label="More options" title="More options">${icon('more')}</button>
        <button class="icon-btn small" data-c="discard" aria-label="Discard draft" title="Discard draft">${icon('trash')}</button>
      </footer>`;
    document.body.appendChild(el);
    for (const f of ['to', 'cc', 'bcc']) {
      const row = el.querySelector(`.recip-row[data-field=${f}]`);
      setupChips(row, (d[f] || []).slice());
      if (f !== 'to' && (d[f] || []).length) row.hidden = false;
    }
    el.addEventListener('input', persistUi);
    persistUi();
    el.addEventListener('click', async (ev) => {
      const b = ev.target.closest('[data-c]');
      if (!b) return;
      const c = b.dataset.c;
      if (c === 'min') el.classList.toggle('minimized');
      if (c === 'full') el.classList.toggle('full');
      if (c === 'showcc' || c === 'showbcc') {
        const row = el.querySelector(`.recip-row[data-field=${c === 'showcc' ? 'cc' : 'bcc'}]`);
        row.hidden = false; row.querySelector('input').focus(); b.hidden = true;
      }
      if (c === 'discard') { el.remove(); if (draft && emails()[draft.id]) { delete emails()[draft.id]; await commit('Draft discarded.'); } else { showSnack('Draft discarded.'); persistUi(); } }
      if (c === 'close') await closeCompose(el, draft);
      if (c === 'send') await sendCompose(el, draft);
    });
    (d.to && d.to.length ? el.querySelector('.compose-subject') : el.querySelector('.recip-row[data-field=to] input')).focus();
  }

  function composeValues(el) {
    const get = (f) => {
      const row = el.querySelector(`.recip-row[data-field=${f}]`);
      row._commit();
      return row._chips.slice();
    };
    return { to: get('to'), cc: get('cc'), bcc: get('bcc'), subject: el.querySelector('.compose-subject').value, content: el.querySelector('.compose-text').value };
  }

  async function closeCompose(el, draft) {
    const v = composeValues(el);
    el.remove();
    if (!v.to.length && !v.cc.length && !v.bcc.length && !v.subject.trim() && !v.content.trim()) { persistUi(); return; }
    const id = draft && emails()[draft.id] ? draft.id : nextId();
    emails()[id] = Object.assign(newEmail(id, v), { draft: true, sent: false });
    await commit('Draft saved.');
  }

  function newEmail(id, v) {
    return {
      id, from: me().email, fromName: me().name, to: v.to, cc: v.cc, bcc: v.bcc, subject: v.subject, content: v.content,
      date: H.iso(H.now()), isRead: true, starred: false, important: false, labels: [], trash: false, archived: false,
      spam: false, snoozed: false, sent: true, draft: false, isReply: false,
    };
  }

  function validRecipients(v) {
    const all = [...v.to.map((a) => ['To', a]), ...v.cc.map((a) => ['Cc', a]), ...v.bcc.map((a) => ['Bcc', a])];
    if (!all.length) { alertDialog('Error', 'Please specify at least one recipient.'); return false; }
    const bad = all.find(([, a]) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(a));
    if (bad) { alertDialog('Error', `The address "${bad[1]}" in the "${bad[0]}" field was not recognized. Please make sure that all addresses are properly formed.`); return false; }
    return true;
  }

  async function sendCompose(el, draft) {
    const v = composeValues(el);
    if (!validRecipients(v)) return;
    const id = draft && emails()[draft.id] ? draft.id : nextId();
    const prev = emails()[id];
    const e = newEmail(id, v);
    if (prev && prev.replyTo) { e.replyTo = prev.replyTo; e.isReply = true; }
    if (el.dataset.replyTo) { e.replyTo = el.dataset.replyTo; e.isReply = true; }
    emails()[id] = e;
    el.remove();
    await commit('Message sent.');
  }

  function setupChips(row, initial) {
    const box = row.querySelector('.chips');
    const field = row.dataset.field;
    row._chips = initial;
    const input = document.createElement('input');
    input.type = 'text';
    input.className = 'chip-input';
    input.setAttribute('aria-label', { to: 'To recipients', cc: 'Cc recipients', bcc: 'Bcc recipients' }[field]);
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.autocomplete = 'off';
    const list = document.createElement('div');
    list.className = 'suggest';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Contact suggestions');
    list.hidden = true;
    let active = 0, sugg = [];
    const draw = () => {
      box.querySelectorAll('.chip').forEach((c) => c.remove());
      row._chips.forEach((addr, i) => {
        const c = document.createElement('span');
        const ok = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(addr);
        c.className = 'chip recip' + (ok ? '' : ' invalid');
        c.title = addr;
        c.innerHTML = `${avatar(contactName(addr), addr)}<span>${esc(ok ? contactName(addr) : addr)}</span><button class="chip-x" aria-label="Remove ${esc(addr)}" tabindex="-1">×</button>`;
        c.querySelector('.chip-x').onmousedown = (ev) => { ev.preventDefault(); row._chips.splice(i, 1); draw(); };
        box.insertBefore(c, input);
      });
      if (row.isConnected) persistUi();
    };
    const hide = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); };
    const resolve = (text) => {
      const t = text.trim().replace(/^<|>$/g, '');
      if (!t) return null;
      const m = t.match(/<([^>]+)>/);
      if (m) return m[1].trim();
      const c = contacts().find((x) => x.name.toLowerCase() === t.toLowerCase() || x.email.toLowerCase() === t.toLowerCase());
      return c ? c.email : t;
    };
    const add = (addr) => { if (addr && !row._chips.includes(addr)) row._chips.push(addr); input.value = ''; hide(); draw(); };
    row._commit = () => { if (input.value.trim()) add(resolve(input.value)); };
    const showSugg = () => {
      const q = input.value.trim().toLowerCase();
      sugg = q ? contacts().filter((c) => c.name.toLowerCase().includes(q) || c.email.toLowerCase().includes(q)).slice(0, 6) : [];
      active = 0;
      if (!sugg.length) return hide();
      list.innerHTML = sugg.map((c, i) => `<div class="sugg${i === active ? ' active' : ''}" role="option" aria-selected="${i === active}" data-email="${esc(c.email)}">${avatar(c.name, c.email)}<span class="sugg-text"><span class="sugg-name">${esc(c.name)}</span><span class="sugg-mail">${esc(c.email)}</span></span></div>`).join('');
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    };
    list.addEventListener('mousedown', (ev) => {
      const o = ev.target.closest('.sugg');
      if (!o) return;
      ev.preventDefault();
      add(o.dataset.email);
      input.focus();
    });
    input.addEventListener('input', showSugg);
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        if (list.hidden) return;
        ev.preventDefault();
        active = (active + (ev.key === 'ArrowDown' ? 1 : sugg.length - 1)) % sugg.length;
        list.querySelectorAll('.sugg').forEach((o, i) => { o.classList.toggle('active', i === active); o.setAttribute('aria-selected', i === active); });
      } else if (ev.key === 'Enter' || (ev.key === 'Tab' && input.value.trim())) {
        if (!input.value.trim()) return;
        ev.preventDefault();
        if (!list.hidden && sugg[active]) add(sugg[active].email); else add(resolve(input.value));
      } else if (ev.key === ',' || ev.key === ';') {
        ev.preventDefault();
        row._commit();
      } else if (ev.key === 'Backspace' && !input.value && row._chips.length) {
        row._chips.pop(); draw();
      } else if (ev.key === 'Escape') hide();
    });
    input.addEventListener('blur', () => { row._commit(); hide(); });
    box.appendChild(input);
    box.appendChild(list);
    box.addEventListener('click', (ev) => { if (ev.target === box) input.focus(); });
    draw();
  }

  // ---------- search ----------
  async function runSearch(q) {
    q = q.trim();
    if (!q) { go('/inbox'); return; }
    S().ui.searchInputValue = q;
    S().filter.searchData = Object.assign({}, S().filter.searchData, { hasWords: q });
    S().filter.searchResults = Object.values(emails()).filter((e) => inView(e, { folder: 'search', q })).sort(byDate).map((e) => ({ id: e.id }));
    history.pushState({}, '', '/search/' + encodeURIComponent(q));
    onRoute();
    await commit();
  }

  // ---------- events ----------
  function bind() {
    $('#menu-btn').innerHTML = icon('menu');
    $('#search-btn').innerHTML = icon('search');
    $('#search-clear').innerHTML = icon('close');
    $('#help-btn').innerHTML = icon('help');
    $('#settings-btn').innerHTML = icon('settings');
    $('.logo').innerHTML = `<svg viewBox="0 0 48 36" width="30" height="24" aria-hidden="true"><path fill="#4285f4" d="M3 36h8V16L0 8v25c0 1.7 1.3 3 3 3z"/><path fill="#34a853" d="M37 36h8c1.7 0 3-1.3 3-3V8l-11 8z"/><path fill="#fbbc04" d="M37 2v14l11-8V4c0-3.7-4.2-5.8-7.2-3.6z"/><path fill="#ea4335" d="M11 16V2l13 9.8L37 2v14L24 25.8z"/><path fill="#c5221f" d="M0 4v4l11 8V2L7.2.4C4.2-1.8 0 .3 0 4z"/></svg>`;
    $('#menu-btn').onclick = () => document.body.classList.toggle('rail-collapsed');
    $('#search-form').addEventListener('submit', (ev) => { ev.preventDefault(); runSearch($('#search-input').value); });
    $('#search-clear').onclick = () => go('/inbox');
    window.addEventListener('popstate', onRoute);

    document.addEventListener('click', async (ev) => {
      const t = ev.target;
      const link = t.closest('a[data-link]');
      if (link) { ev.preventDefault(); go(link.getAttribute('href')); return; }
      if (t.closest('#compose-btn')) { openCompose(); return; }
      if (t.closest('#new-label-btn')) { newLabelDialog(); return; }
      if (t.closest('#reply-send')) { await sendReply(); return; }
      if (t.closest('#reply-discard')) { ui.reply = null; render(); return; }

      // menus
      const mi = t.closest('#popup-menu .menu-item');
      if (mi) {
        const ids = (ui.menu && ui.menu.ids) || targetIds();
        if (mi.dataset.snooze) { await act('snooze', ids, mi.dataset.snooze); return; }
        if (mi.dataset.snoozePick) { closeMenu(); pickSnoozeDialog(ids); return; }
        if (mi.dataset.select) { closeMenu(); selectBy(mi.dataset.select); return; }
        if (mi.dataset.label) { await act('label', ids, mi.dataset.label); return; }
        if (mi.dataset.newlabel) { closeMenu(); newLabelDialog(); return; }
        if (mi.dataset.more) { await act(mi.dataset.more, ids); return; }
        if (mi.dataset.markallread) { closeMenu(); await act('read', listFor(ui.route).filter((e) => !e.isRead).map((e) => e.id)); return; }
        return;
      }
      const mb = t.closest('[data-menu]');
      if (mb) {
        if (ui.menu && ui.menu.kind === mb.dataset.menu) { closeMenu(); return; }
        openMenu(mb, mb.dataset.menu, menuHtml(mb.dataset.menu));
        return;
      }
      if (!t.closest('#popup-menu')) closeMenu();

      const star = t.closest('[data-star]');
      if (star) {
        const e = emails()[star.dataset.star];
        e.starred = !e.starred;
        await commit();
        return;
      }
      const ra = t.closest('[data-rowact]');
      if (ra) {
        const id = ra.closest('.mail-row').dataset.id;
        if (ra.dataset.rowact === 'snooze') { ui.menu = null; openMenu(ra, 'snooze', menuHtml('snooze')); ui.menu.ids = [id]; return; }
        await act(ra.dataset.rowact, [id]);
        return;
      }
      const a = t.closest('[data-act]');
      if (a) { await toolbarAct(a.dataset.act); return; }
      if (t.closest('.row-check') || t.closest('#select-all') || t.closest('.cell-check')) return;
      const row = t.closest('.mail-row');
      if (row) go(listPath(ui.route) + '/' + row.dataset.id);
    });

    document.addEventListener('change', (ev) => {
      const t = ev.target;
      if (t.id === 'select-all') {
        const rows = [...document.querySelectorAll('.mail-row')].map((r) => r.dataset.id);
        if (t.checked) rows.forEach((id) => ui.selected.add(id)); else { ui.selected.clear(); ui.allMatching = false; }
        render();
      } else if (t.classList.contains('row-check')) {
        if (ui.allMatching) { ui.allMatching = false; }
        if (t.checked) ui.selected.add(t.dataset.id); else ui.selected.delete(t.dataset.id);
        render();
      }
    });
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        if ($('#popup-menu')) closeMenu();
        else if ($('#overlay-root').innerHTML) $('#overlay-root').innerHTML = '';
      }
    });
  }

  function selectBy(kind) {
    const rows = [...document.querySelectorAll('.mail-row')].map((r) => emails()[r.dataset.id]).filter(Boolean);
    ui.selected.clear();
    ui.allMatching = false;
    const pick = { All: () => true, None: () => false, Read: (e) => e.isRead, Unread: (e) => !e.isRead, Starred: (e) => e.starred, Unstarred: (e) => !e.starred }[kind];
    rows.filter(pick).forEach((e) => ui.selected.add(e.id));
    render();
  }

  async function toolbarAct(kind) {
    const r = ui.route;
    switch (kind) {
      case 'back': go(listPath(r)); return;
      case 'prev': ui.page = Math.max(0, ui.page - 1); ui.selected.clear(); ui.allMatching = false; render(); return;
      case 'next': ui.page += 1; ui.selected.clear(); ui.allMatching = false; render(); return;
      case 'refresh': render(); return;
      case 'selectall-matching': ui.allMatching = true; render(); return;
      case 'clearsel': ui.selected.clear(); ui.allMatching = false; render(); return;
      case 'emptytrash':
        dialog({
          title: 'Confirm deleting messages', body: '<p>This action will affect all conversations in Trash. Are you sure you want to continue?</p>',
          buttons: [{ text: 'Cancel' }, { text: 'OK', primary: true, onClick: () => act('forever', listFor({ folder: 'trash' }).map((e) => e.id)) }],
        });
        return;
      case 'reply': {
        const e = emails()[r.id];
        ui.reply = { to: e.sent ? (e.to || [])[0] : e.from, body: '' };
        render();
        return;
      }
      case 'forward': {
        const e = emails()[r.id];
        openCompose(null, { subject: 'Fwd: ' + (e.subject || ''), content: `\n\n---------- Forwarded message ---------\nFrom: ${e.fromName} <${e.from}>\nSubject: ${e.subject}\n\n${e.content}` });
        return;
      }
      default: await act(kind);
    }
  }

  async function sendReply() {
    const e = emails()[ui.route.id];
    const body = $('#reply-body').value;
    const id = nextId();
    const subj = /^re:/i.test(e.subject || '') ? e.subject : 'Re: ' + (e.subject || '');
    const reply = newEmail(id, { to: [ui.reply.to], cc: [], bcc: [], subject: subj, content: body });
    reply.isReply = true;
    reply.replyTo = e.id;
    emails()[id] = reply;
    ui.reply = null;
    await commit('Message sent.');
  }

  async function start() {
    await H.load();
    bind();
    if (location.pathname === '/' || location.pathname === '') history.replaceState({}, '', '/inbox');
    onRoute();
    if (S().ui.snackbar && S().ui.snackbar.open && S().ui.snackbar.message) showSnack(S().ui.snackbar.message);
  }
  start();
})();
