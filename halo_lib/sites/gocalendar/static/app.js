// GoCalendar: a Google Calendar look-alike. All state lives in HaloSite.state.calendar; the
// week grid, pop-over, quick-create dialog and pickers are rendered from it (vanilla JS).
(function () {
  'use strict';
  const H = window.HaloSite;
  const HOUR_PX = 48;
  const DAY_MS = 86400000;
  const WD_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const WD_SHORT = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
  const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
    'October', 'November', 'December'];
  const MON_SHORT = MONTHS.map((m) => m.slice(0, 3));
  const REPEATS = [
    ['none', 'Does not repeat'], ['daily', 'Daily'], ['weekly', 'Weekly'], ['weekdays', 'Every weekday (Monday to Friday)'],
    ['monthly', 'Monthly'], ['yearly', 'Annually'],
  ];
  const COLORS = [['#d50000', 'Tomato'], ['#e67c73', 'Flamingo'], ['#f4511e', 'Tangerine'], ['#f6bf26', 'Banana'],
    ['#33b679', 'Sage'], ['#0b8043', 'Basil'], ['#039be5', 'Peacock'], ['#3f51b5', 'Blueberry'],
    ['#7986cb', 'Lavender'], ['#8e24aa', 'Grape'], ['#616161', 'Graphite']];


  const ICONS = {
    clock: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm.5-13H11v6l5.2 3.2.8-1.3-4.5-2.7z',
    people: 'M9 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0-6a2 2 0 1 1 0 4 2 2 0 0 1 0-4zm0 8c-2.7 0-8 1.3-8 4v2h16v-2c0-2.7-5.3-4-8-4zm-6 4c.2-.7 3.3-2 6-2s5.8 1.3 6 2zm13-6a4 4 0 0 0 0-8c-.5 0-.9.1-1.3.2a6 6 0 0 1 0 7.6c.4.1.8.2 1.3.2zm1.5 2.2c1.5.9 2.5 2.1 2.5 3.8v2h3v-2c0-2-3.1-3.3-5.5-3.8z',
    video: 'M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11zM15 16H5V8h10z',
    pin: 'M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5z',
    notes: 'M3 18h12v-2H3zM3 6v2h18V6zm0 7h18v-2H3z',
    calendar: 'M19 4h-1V2h-2v2H8V2H6v2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 16H5V10h14zm0-12H5V6h14z',
    bell: 'M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6v-5c0-3.1-1.6-5.6-4.5-6.3V4a1.5 1.5 0 0 0-3 0v.7C7.6 5.4 6 7.9 6 11v5l-2 2v1h16v-1zm-2 1H8v-6c0-2.5 1.5-4.5 4-4.5s4 2 4 4.5z',
    list: 'M3 13h2v-2H3zm0 4h2v-2H3zm0-8h2V7H3zm4 4h14v-2H7zm0 4h14v-2H7zM7 7v2h14V7z',
    edit: 'M3 17.2V21h3.8l11-11-3.8-3.8zM20.7 7a1 1 0 0 0 0-1.4l-2.3-2.3a1 1 0 0 0-1.4 0l-1.8 1.8 3.8 3.8z',
    mail: 'M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5z',
    more: 'M12 8a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm0 2a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm0 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4z',
    close: 'M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z',
  };
  const icon = (n, size = 20) => `<svg viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true"><path d="${ICONS[n]}"/></svg>`;

  const ui = { view: 'workweek', anchor: null, miniMonth: null, popover: null, dialog: null, picker: null, query: '' };
  const $ = (sel, root = document) => root.querySelector(sel);
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const cal = () => H.state.calendar;

  // ---- local dates: {y, m, d} in the site's zone; arithmetic through UTC midnights ----
  const ld = (y, m, d) => { const t = new Date(Date.UTC(y, m - 1, d)); return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() }; };
  const addDays = (a, n) => ld(a.y, a.m, a.d + n);
  const dayNum = (a) => Date.UTC(a.y, a.m - 1, a.d) / DAY_MS;
  const weekday = (a) => new Date(Date.UTC(a.y, a.m - 1, a.d)).getUTCDay();
  const sameDay = (a, b) => a.y === b.y && a.m === b.m && a.d === b.d;
  const localOf = (iso) => { const p = H.parts(iso); return { y: p.year, m: p.month, d: p.day, h: p.hour, min: p.minute }; };
  const today = () => { const p = H.parts(H.now()); return { y: p.year, m: p.month, d: p.day }; };
  const longDate = (a) => `${WD_LONG[weekday(a)]}, ${MONTHS[a.m - 1]} ${a.d}`;
  const fullDate = (a) => `${WD_LONG[weekday(a)]}, ${MONTHS[a.m - 1]} ${a.d}, ${a.y}`;
  function fmtTime(h, min) {
    const ap = h < 12 ? 'am' : 'pm';
    const hh = h % 12 === 0 ? 12 : h % 12;
    return `${hh}:${String(min).padStart(2, '0')}${ap}`;
  }
  const shortTime = (h, min) => (min === 0 ? `${h % 12 === 0 ? 12 : h % 12}${h < 12 ? 'am' : 'pm'}` : fmtTime(h, min));
  const toIso = (a, mins) => H.iso(H.toUtc(a.y, a.m, a.d, Math.floor(mins / 60), mins % 60));

  function visibleDays() {
    const a = ui.anchor;
    if (ui.view === 'day') return [a];
    const wd = weekday(a);
    const sunday = addDays(a, -wd);
    const days = [];
    for (let i = 0; i < 7; i++) days.push(addDays(sunday, i));
    return ui.view === 'workweek' ? days.slice(1, 6) : days;
  }
  const calendarById = (id) => cal().calendars.find((c) => c.id === id);
  const isVisible = (ev) => { const c = calendarById(ev.calendarId || 'personal'); return !c || c.visible; };
  const colorOf = (ev) => ev.color || (calendarById(ev.calendarId) || {}).color || '#039be5';

  // Occurrences of one event (recurring events repeat from their first day) on a given local day.
  function occursOn(ev, day) {
    const s = localOf(ev.start);
    const sd = { y: s.y, m: s.m, d: s.d };
    const diff = dayNum(day) - dayNum(sd);
    if (ev.allDay) {
      const e = localOf(ev.end || ev.start);
      const len = Math.max(0, dayNum({ y: e.y, m: e.m, d: e.d }) - dayNum(sd));
      if (diff >= 0 && diff <= len) return true;
      if (!ev.recurrence || ev.recurrence === 'none' || diff < 0) return false;
    } else if (diff === 0) return true;
    if (!ev.recurrence || ev.recurrence === 'none' || diff < 0) return false;
    switch (ev.recurrence) {
      case 'daily': return true;
      case 'weekly': return diff % 7 === 0;
      case 'weekdays': return weekday(day) >= 1 && weekday(day) <= 5;
      case 'monthly': return day.d === sd.d;
      case 'yearly': return day.d === sd.d && day.m === sd.m;
      default: return false;
    }
  }
  function matchesQuery(ev) {
    if (!ui.query) return true;
    const q = ui.query.toLowerCase();
    return [ev.title, ev.location, ev.description].some((t) => (t || '').toLowerCase().includes(q));
  }

  // ---------------------------------------------------------------- UI state for rewards
  // The open create/edit dialog and event pop-over, mirrored into calendar.ui for dense RL rewards (read from
  // /finish). calendar.ui exists only while one is open, so a finished run with both closed has the same diff
  // as before. Field names avoid 'title'/'start': some official scripts scan the whole JSON for event-like dicts.
  const ymd = (a) => `${a.y}-${String(a.m).padStart(2, '0')}-${String(a.d).padStart(2, '0')}`;
  function uiSnapshot() {
    const out = {};
    const d = ui.dialog;
    if (d) {
      out.dialog = { kind: d.kind, mode: d.mode, titleText: d.title, day: ymd(d.date), endDay: ymd(d.endDate),
        startMinutes: d.start, endMinutes: d.end, allDay: !!d.allDay, locationText: d.location };
    }
    if (ui.popover) out.popover = { kind: ui.popover.kind, itemId: ui.popover.id };
    return Object.keys(out).length ? out : undefined;
  }
  function persistUi() {
    const next = uiSnapshot();
    if (JSON.stringify(cal().ui) === JSON.stringify(next)) return;
    if (next === undefined) delete cal().ui; else cal().ui = next;
    H.save();
  }

  // ---------------------------------------------------------------- rendering
  function render() {
    renderHeader();
    renderMiniCal();
    renderCalendars();
    renderGrid();
    renderPopover();
    renderDialog();
    renderPicker();
  }

  function renderHeader() {
    const days = visibleDays();
    const a = days[0], b = days[days.length - 1];
    let title;
    if (a.m === b.m) title = `${MONTHS[a.m - 1]} ${a.y}`;
    else if (a.y === b.y) title = `${MON_SHORT[a.m - 1]} – ${MON_SHORT[b.m - 1]} ${b.y}`;
    else title = `${MON_SHORT[a.m - 1]} ${a.y} – ${MON_SHORT[b.m - 1]} ${b.y}`;
    if (ui.view === 'day') title = `${MONTHS[a.m - 1]} ${a.d}, ${a.y}`;
    $('#range-title').textContent = title;
    $('#view-label').textContent = { day: 'Day', week: 'Week', workweek: 'Work week' }[ui.view];
    const unit = ui.view === 'day' ? 'day' : 'week';
    $('#prev-btn').setAttribute('aria-label', `Previous ${unit}`);
    $('#next-btn').setAttribute('aria-label', `Next ${unit}`);
    $('#logo-day').textContent = today().d;
  }

  function monthGrid(y, m) {
    const first = ld(y, m, 1);
    const start = addDays(first, -weekday(first));
    const cells = [];
    for (let i = 0; i < 42; i++) cells.push(addDays(start, i));
    return cells;
  }

  function renderMiniCal() {
    const mm = ui.miniMonth;
    const t = today();
    const days = visibleDays();
    const inView = (c) => dayNum(c) >= dayNum(days[0]) && dayNum(c) <= dayNum(days[days.length - 1]);
    let html = `<div class="mini-head"><span class="mini-title">${MONTHS[mm.m - 1]} ${mm.y}</span>
      <button class="icon-btn sm" data-mini="-1" aria-label="Previous month">‹</button>
      <button class="icon-btn sm" data-mini="1" aria-label="Next month">›</button></div>
      <div class="mini-grid" role="grid">`;
    html += ['S', 'M', 'T', 'W', 'T', 'F', 'S'].map((w) => `<span class="mini-wd" aria-hidden="true">${w}</span>`).join('');
    for (const c of monthGrid(mm.y, mm.m)) {
      const cls = ['mini-day'];
      if (c.m !== mm.m) cls.push('other');
      if (sameDay(c, t)) cls.push('today');
      else if (inView(c)) cls.push('inview');
      html += `<button class="${cls.join(' ')}" data-goto="${c.y}-${c.m}-${c.d}" aria-label="${fullDate(c)}">${c.d}</button>`;
    }
    $('#mini-cal').innerHTML = html + '</div>';
  }

  function renderCalendars() {
    const row = (c) => `<li><label class="cal-row"><input type="checkbox" data-cal="${c.id}" ${c.visible ? 'checked' : ''}
      style="--c:${c.color}"><span>${esc(c.name)}</span></label></li>`;
    $('#my-cals').innerHTML = cal().calendars.filter((c) => c.id !== 'holidays').map(row).join('');
    $('#other-cals').innerHTML = cal().calendars.filter((c) => c.id === 'holidays').map(row).join('');
  }

  function eventLabel(ev, day) {
    const s = localOf(ev.start), e = localOf(ev.end || ev.start);
    const when = ev.allDay ? 'All day' : `${fmtTime(s.h, s.min)} to ${fmtTime(e.h, e.min)}`;
    const where = ev.location ? `, ${ev.location}` : '';
    return `${ev.title || '(No title)'}, ${when}, ${longDate(day)}${where}`;
  }

  // Side-by-side lanes for overlapping timed items of one day.
  function layoutDay(items) {
    items.sort((a, b) => a.top - b.top || b.height - a.height);
    let cluster = [], clusterEnd = -1;
    const flush = () => { const lanes = Math.max(...cluster.map((i) => i.lane)) + 1; cluster.forEach((i) => { i.lanes = lanes; }); cluster = []; };
    for (const it of items) {
      if (cluster.length && it.top >= clusterEnd) { flush(); clusterEnd = -1; }
      const used = new Set(cluster.filter((c) => c.top + c.height > it.top).map((c) => c.lane));
      let lane = 0; while (used.has(lane)) lane++;
      it.lane = lane; cluster.push(it); clusterEnd = Math.max(clusterEnd, it.top + it.height);
    }
    if (cluster.length) flush();
    return items;
  }

  function renderGrid() {
    const main = $('#main');
    const days = visibleDays();
    const t = today();
    const scroller = $('#grid-scroll');
    const scrollTop = scroller ? scroller.scrollTop : 7 * HOUR_PX;
    const events = Object.values(cal().events).filter((ev) => isVisible(ev) && matchesQuery(ev));
    const tasksVisible = (calendarById('tasks') || { visible: true }).visible;
    const tasks = tasksVisible ? Object.values(cal().myTasks).filter(matchesQuery) : [];
    const cols = `grid-template-columns: 64px repeat(${days.length}, 1fr)`;

    let head = `<div class="day-heads" style="${cols}"><div class="tz">GMT-07</div>`;
    for (const d of days) {
      const isT = sameDay(d, t);
      head += `<div class="day-head${isT ? ' is-today' : ''}"><span class="wd">${WD_SHORT[weekday(d)]}</span>
        <button class="dnum" data-dayview="${d.y}-${d.m}-${d.d}" aria-label="${fullDate(d)}${isT ? ', today' : ''}">${d.d}</button></div>`;
    }
    head += `</div><div class="allday-row" style="${cols}"><div class="tz"></div>`;
    for (const d of days) {
      head += '<div class="allday-cell">';
      for (const ev of events.filter((e) => e.allDay && occursOn(e, d))) {
        head += `<button class="chip allday" style="--ev:${colorOf(ev)}" data-ev="${ev.id}" data-day="${d.y}-${d.m}-${d.d}"
          aria-label="${esc(eventLabel(ev, d))}">${esc(ev.title || '(No title)')}</button>`;
      }
      for (const tk of tasks.filter((x) => x.allDay && occursOn(x, d))) {
        head += `<button class="chip allday task${tk.completed ? ' done' : ''}" data-task="${tk.id}" aria-label="Task: ${esc(tk.title)}, ${longDate(d)}">☑ ${esc(tk.title || '(No title)')}</button>`;
      }
      head += '</div>';
    }
    head += '</div>';

    let body = `<div class="grid-scroll" id="grid-scroll"><div class="grid" style="${cols}; height:${24 * HOUR_PX}px">`;
    body += '<div class="hours">';
    for (let h = 1; h < 24; h++) body += `<span class="hour-label" style="top:${h * HOUR_PX}px">${shortTime(h, 0).toUpperCase()}</span>`;
    body += '</div>';
    for (const d of days) {
      const items = [];
      for (const ev of events.filter((e) => !e.allDay && occursOn(e, d))) {
        const s = localOf(ev.start), e = localOf(ev.end || ev.start);
        const sm = s.h * 60 + s.min;
        let em = e.h * 60 + e.min;
        const multi = dayNum({ y: e.y, m: e.m, d: e.d }) > dayNum({ y: s.y, m: s.m, d: s.d });
        if (multi || em <= sm) em = 24 * 60;
        items.push({ ev, kind: 'ev', top: sm * HOUR_PX / 60, height: Math.max(15, (em - sm) * HOUR_PX / 60), s, e });
      }
      for (const tk of tasks.filter((x) => !x.allDay && occursOn(x, d))) {
        const s = localOf(tk.start);
        items.push({ ev: tk, kind: 'task', top: (s.h * 60 + s.min) * HOUR_PX / 60, height: HOUR_PX / 2, s });
      }
      body += `<div class="day-col${sameDay(d, t) ? ' is-today' : ''}" data-col="${d.y}-${d.m}-${d.d}" role="gridcell" aria-label="${longDate(d)}">`;
      for (const it of layoutDay(items)) {
        const w = 100 / it.lanes;
        const pos = `top:${it.top}px;height:${it.height - 2}px;left:calc(${it.lane * w}% + 1px);width:calc(${w}% - 6px)`;
        if (it.kind === 'task') {
          const tk = it.ev;
          body += `<button class="chip timed task${tk.completed ? ' done' : ''}" style="${pos}" data-task="${tk.id}"
            aria-label="Task: ${esc(tk.title)}, ${fmtTime(it.s.h, it.s.min)}, ${longDate(d)}"><span class="ct">☑ ${esc(tk.title || '(No title)')}</span><span class="cw">${fmtTime(it.s.h, it.s.min)}</span></button>`;
          continue;
        }
        const ev = it.ev;
        const short = it.height < 40;
        const time = `${fmtTime(it.s.h, it.s.min)} – ${fmtTime(it.e.h, it.e.min)}`;
        body += `<button class="chip timed${short ? ' short' : ''}" style="${pos};--ev:${colorOf(ev)}" data-ev="${ev.id}"
          data-day="${d.y}-${d.m}-${d.d}" aria-label="${esc(eventLabel(ev, d))}">
          <span class="ct">${esc(ev.title || '(No title)')}${short ? `, <span class="cw">${fmtTime(it.s.h, it.s.min)}</span>` : ''}</span>
          ${short ? '' : `<span class="cw">${time}</span>${ev.location && it.height >= 56 ? `<span class="cw">${esc(ev.location)}</span>` : ''}`}
        </button>`;
      }
      if (sameDay(d, t)) {
        const n = H.parts(H.now());
        body += `<div class="now-line" style="top:${(n.hour * 60 + n.minute) * HOUR_PX / 60}px" aria-hidden="true"></div>`;
      }
      body += '</div>';
    }
    body += '</div></div>';
    main.innerHTML = head + body;
    $('#grid-scroll').scrollTop = scrollTop;
  }

  // ---------------------------------------------------------------- event details pop-over
  function renderPopover() {
    const root = $('#popover-root');
    const p = ui.popover;
    persistUi();
    if (!p) { root.innerHTML = ''; return; }
    const isTask = p.kind === 'task';
    const ev = isTask ? cal().myTasks[p.id] : cal().events[p.id];
    if (!ev) { ui.popover = null; persistUi(); root.innerHTML = ''; return; }
    const s = localOf(ev.start), e = localOf(ev.end || ev.start);
    const sd = { y: s.y, m: s.m, d: s.d }, edd = { y: e.y, m: e.m, d: e.d };
    let when;
    if (ev.allDay) when = sameDay(sd, edd) ? longDate(sd) : `${MONTHS[s.m - 1]} ${s.d} – ${MONTHS[e.m - 1]} ${e.d}, ${e.y}`;
    else if (isTask) when = `${longDate(sd)} · ${fmtTime(s.h, s.min)}`;
    else when = `${longDate(sd)} · ${fmtTime(s.h, s.min)} – ${fmtTime(e.h, e.min)}`;
    const rep = REPEATS.find((r) => r[0] === (ev.recurrence || 'none'));
    const c = calendarById(isTask ? 'tasks' : ev.calendarId) || { name: 'Personal' };
    const row = (icon, html) => `<div class="pop-row"><span class="pop-ic" aria-hidden="true">${icon}</span><div>${html}</div></div>`;
    let html = `<div class="popover" role="dialog" aria-label="${esc(ev.title || '(No title)')}" style="left:${p.x}px;top:${p.y}px">
      <div class="pop-tools">
        ${isTask ? '' : `<button class="icon-btn sm" data-act="edit" aria-label="Edit event" title="Edit event">${icon('edit', 18)}</button>`}
        <button class="icon-btn sm" data-act="delete" aria-label="${isTask ? 'Delete task' : 'Delete event'}" title="Delete">
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M15 4V3H9v1H4v2h1v13a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V6h1V4zm2 15H7V6h10zM9 8h2v9H9zm4 0h2v9h-2z"/></svg></button>
        <button class="icon-btn sm" aria-label="Email event details" title="Email event details">${icon('mail', 18)}</button>
        <button class="icon-btn sm" aria-label="Options" title="Options">${icon('more', 18)}</button>
        <button class="icon-btn sm" data-act="close" aria-label="Close" title="Close">${icon('close', 18)}</button>
      </div>
      <div class="pop-title"><span class="sq" style="background:${isTask ? '#039be5' : colorOf(ev)}"></span>
        <div><h2>${esc(ev.title || '(No title)')}</h2><p class="muted">${when}${rep && rep[0] !== 'none' ? `<br>${rep[1]}` : ''}</p></div></div>`;
    if (!isTask && ev.meetingId) html += row(icon('video'), `<button class="meet-btn">Join with Google Meet</button><div class="muted small">meet.google.com/${esc(ev.meetingId)}</div>`);
    if (ev.location) html += row(icon('pin'), esc(ev.location));
    if (ev.description) html += row(icon('notes'), esc(ev.description));
    if (!isTask && ev.reminder && ev.reminder !== 'none') html += row(icon('bell'), esc(ev.reminder));
    html += row(icon('calendar'), esc(isTask ? 'My Tasks' : c.name));
    if (isTask) html += `<div class="pop-foot"><button class="text-btn" data-act="complete">${ev.completed ? 'Mark uncompleted' : 'Mark completed'}</button></div>`;
    root.innerHTML = html + '</div>';
    const el = $('.popover', root);
    const r = el.getBoundingClientRect();
    if (r.bottom > window.innerHeight - 8) el.style.top = `${Math.max(8, window.innerHeight - r.height - 8)}px`;
    if (r.right > window.innerWidth - 8) el.style.left = `${Math.max(8, window.innerWidth - r.width - 8)}px`;
  }

  function openPopover(kind, id, anchor) {
    const r = anchor.getBoundingClientRect();
    let x = r.right + 8;
    if (x + 448 > window.innerWidth) x = Math.max(8, r.left - 456);
    ui.popover = { kind, id, x, y: Math.max(72, r.top - 20) };
    ui.dialog = null;
    ui.picker = null;
    render();
    const close = $('#popover-root [data-act="close"]');
    if (close) close.focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- create / edit dialog
  function nextHour() {
    const n = H.parts(H.now());
    return Math.min(23, n.hour + 1) * 60;
  }
  function newDraft(day, startMins, allDay = false) {
    return {
      mode: 'create', kind: 'event', id: null, title: '', allDay,
      date: day, endDate: day, start: startMins, end: Math.min(startMins + 60, 24 * 60 - 15),
      location: '', description: '', calendarId: 'personal', recurrence: 'none', color: '',
      meet: false, reminder: '30 minutes before', expanded: false, error: '',
    };
  }
  function draftFrom(ev) {
    const s = localOf(ev.start), e = localOf(ev.end || ev.start);
    return {
      mode: 'edit', kind: 'event', id: ev.id, title: ev.title, allDay: !!ev.allDay,
      date: { y: s.y, m: s.m, d: s.d }, endDate: { y: e.y, m: e.m, d: e.d },
      start: s.h * 60 + s.min, end: e.h * 60 + e.min, location: ev.location || '', description: ev.description || '',
      calendarId: ev.calendarId || 'personal', recurrence: ev.recurrence || 'none', color: ev.color || '',
      meet: !!ev.meetingId, meetingId: ev.meetingId || '', reminder: ev.reminder || '30 minutes before', expanded: true, error: '',
    };
  }
  function openDialog(draft) {
    ui.dialog = draft;
    ui.popover = null;
    ui.picker = null;
    render();
    const t = $('#dlg-title');
    if (t) t.focus();
  }

  function timeOptions(fromMins, withDuration) {
    const out = [];
    for (let m = fromMins; m < 24 * 60; m += 15) {
      let dur = '';
      if (withDuration) {
        const d = m - ui.dialog.start;
        dur = d < 60 ? `${d} mins` : `${+(d / 60).toFixed(2)} hr${d === 60 ? '' : 's'}`;
      }
      out.push({ m, label: fmtTime(Math.floor(m / 60), m % 60), dur });
    }
    return out;
  }

  function renderDialog() {
    const root = $('#dialog-root');
    const d = ui.dialog;
    persistUi();
    if (!d) { root.innerHTML = ''; return; }
    const isTask = d.kind === 'task';
    const dateBtn = (which, day) => `<button class="field-btn" data-pick="${which}" aria-label="${which === 'date' ? 'Start date' : 'End date'}: ${longDate(day)}"
      aria-haspopup="dialog">${longDate(day)}</button>`;
    const timeBtn = (which, mins) => `<button class="field-btn" data-pick="${which}" aria-label="${which === 'start' ? 'Start time' : 'End time'}: ${fmtTime(Math.floor(mins / 60), mins % 60)}"
      aria-haspopup="listbox">${fmtTime(Math.floor(mins / 60), mins % 60)}</button>`;
    let when = dateBtn('date', d.date);
    if (d.allDay) { if (!isTask) when += '<span class="dash">–</span>' + dateBtn('endDate', d.endDate); }
    else when += timeBtn('start', d.start) + (isTask ? '' : '<span class="dash">–</span>' + timeBtn('end', d.end));
    const calOpts = cal().calendars.filter((c) => !['tasks', 'holidays'].includes(c.id))
      .map((c) => `<option value="${c.id}" ${c.id === d.calendarId ? 'selected' : ''}>${esc(c.name)}</option>`).join('');
    const repOpts = REPEATS.map(([v, l]) => {
      let label = l;
      if (v === 'weekly') label = `Weekly on ${WD_LONG[weekday(d.date)]}`;
      if (v === 'monthly') label = `Monthly on day ${d.date.d}`;
      if (v === 'yearly') label = `Annually on ${MONTHS[d.date.m - 1]} ${d.date.d}`;
      return `<option value="${v}" ${v === d.recurrence ? 'selected' : ''}>${label}</option>`;
    }).join('');
    const heading = d.mode === 'edit' ? 'Edit event' : (isTask ? 'Create task' : 'Create event');
    let html = `<div class="scrim" data-act="scrim"></div>
    <div class="dialog${d.expanded ? ' expanded' : ''}" role="dialog" aria-modal="true" aria-label="${heading}">
      <div class="dlg-bar"><span class="drag" aria-hidden="true">${icon('notes', 18)}</span><span class="sr">${heading}</span>
        <button class="icon-btn sm" data-act="dlg-close" aria-label="Close">${icon('close', 18)}</button></div>
      <div class="dlg-body">
        <input id="dlg-title" class="title-input" type="text" placeholder="Add title" aria-label="Add title" value="${esc(d.title)}" autocomplete="off">
        ${d.mode === 'edit' ? '' : `<div class="tabs" role="tablist" aria-label="Item type">
          <button role="tab" aria-selected="${!isTask}" class="tab${!isTask ? ' on' : ''}" data-kind="event">Event</button>
          <button role="tab" aria-selected="${isTask}" class="tab${isTask ? ' on' : ''}" data-kind="task">Task</button>
          <button role="tab" aria-selected="false" class="tab" disabled>Appointment schedule</button></div>`}
        <div class="row"><span class="ic" aria-hidden="true">${icon('clock')}</span><div class="row-main">
          <div class="when">${when}</div>
          <div class="when-opts">
            <label class="check"><input type="checkbox" id="dlg-allday" ${d.allDay ? 'checked' : ''}><span>All day</span></label>
            <span class="muted small">Time zone: Pacific Time</span>
          </div>
          <select id="dlg-repeat" class="select" aria-label="Repeat">${repOpts}</select>
        </div></div>`;
    if (!isTask) {
      html += `<div class="row"><span class="ic" aria-hidden="true">${icon('people')}</span><div class="row-main"><input class="plain" type="text" placeholder="Add guests" aria-label="Add guests"></div></div>
        <div class="row"><span class="ic" aria-hidden="true">${icon('video')}</span><div class="row-main">${d.meet
          ? '<span class="meet-on">Google Meet video conferencing added</span> <button class="text-btn" data-act="meet">Remove</button>'
          : '<button class="meet-btn" data-act="meet">Add Google Meet video conferencing</button>'}</div></div>
        <div class="row"><span class="ic" aria-hidden="true">${icon('pin')}</span><div class="row-main"><input id="dlg-location" class="plain" type="text" placeholder="Add location" aria-label="Add location" value="${esc(d.location)}" autocomplete="off"></div></div>`;
    }
    html += `<div class="row"><span class="ic" aria-hidden="true">${icon('notes')}</span><div class="row-main"><textarea id="dlg-desc" class="plain" rows="${d.expanded ? 4 : 1}" placeholder="Add description" aria-label="Add description">${esc(d.description)}</textarea></div></div>`;
    if (isTask) html += `<div class="row"><span class="ic" aria-hidden="true">${icon('list')}</span><div class="row-main"><span>My Tasks</span></div></div>`;
    else {
      html += `<div class="row"><span class="ic" aria-hidden="true">${icon('calendar')}</span><div class="row-main">
        <div class="cal-line"><span class="sq" style="background:${d.color || (calendarById(d.calendarId) || {}).color}"></span>
        <select id="dlg-cal" class="select" aria-label="Calendar">${calOpts}</select></div>
        <div class="muted small">Busy · Default visibility · Notify ${esc(d.reminder.replace(' before', ''))} before</div></div></div>`;
      if (d.expanded) {
        const colOpts = [['', 'Calendar color']].concat(COLORS.map(([c, n]) => [c, n]))
          .map(([c, n]) => `<option value="${c}" ${c === d.color ? 'selected' : ''}>${n}</option>`).join('');
        const remOpts = ['none', '10 minutes before', '30 minutes before', '1 hour before', '1 day before']
          .map((r) => `<option value="${r}" ${r === d.reminder ? 'selected' : ''}>${r === 'none' ? 'No notification' : r}</option>`).join('');
        html += `<div class="row"><span class="ic" aria-hidden="true">${icon('bell')}</span><div class="row-main">
          <select id="dlg-reminder" class="select" aria-label="Notification">${remOpts}</select>
          <select id="dlg-color" class="select" aria-label="Event color">${colOpts}</select></div></div>`;
      }
    }
    html += `${d.error ? `<p class="error" role="alert">${esc(d.error)}</p>` : ''}</div>
      <div class="dlg-foot">
        ${d.expanded ? '' : '<button class="text-btn" data-act="more">More options</button>'}
        <button class="primary-btn" data-act="save">Save</button>
      </div></div>`;
    root.innerHTML = html;
  }

  function readDialogInputs() {
    const d = ui.dialog;
    if (!d) return;
    const v = (id) => { const el = document.getElementById(id); return el ? el.value : null; };
    if (v('dlg-title') !== null) d.title = v('dlg-title');
    if (v('dlg-location') !== null) d.location = v('dlg-location');
    if (v('dlg-desc') !== null) d.description = v('dlg-desc');
    if (v('dlg-cal') !== null) d.calendarId = v('dlg-cal');
    if (v('dlg-repeat') !== null) d.recurrence = v('dlg-repeat');
    if (v('dlg-reminder') !== null) d.reminder = v('dlg-reminder');
    if (v('dlg-color') !== null) d.color = v('dlg-color');
  }

  function newId(prefix) {
    const taken = new Set(Object.keys(cal().events).concat(Object.keys(cal().myTasks)));
    let n = taken.size + 1;
    let id;
    do { id = `${prefix}-${String(n).padStart(3, '0')}`; n++; } while (taken.has(id));
    return id;
  }
  function meetingCode(id) {
    const letters = 'abcdefghijkmnopqrstuvwxyz';
    let h = 0;
    for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 1000003;
    let s = '';
    for (let i = 0; i < 10; i++) { s += letters[h % letters.length]; h = Math.floor(h / 3) + i * 7; }
    return `${s.slice(0, 3)}-${s.slice(3, 7)}-${s.slice(7)}`;
  }

  async function saveDialog() {
    readDialogInputs();
    const d = ui.dialog;
    if (d.allDay && dayNum(d.endDate) < dayNum(d.date)) { d.error = 'The end date must be on or after the start date.'; render(); return; }
    if (!d.allDay && d.kind === 'event' && d.end <= d.start) { d.error = 'The end time must be after the start time.'; render(); return; }
    let msg;
    if (d.kind === 'task') {
      const id = newId('task');
      cal().myTasks[id] = {
        id, title: d.title.trim(), start: toIso(d.date, d.allDay ? 0 : d.start), allDay: d.allDay,
        description: d.description, completed: false, recurrence: d.recurrence,
      };
      msg = 'Task created';
    } else {
      const id = d.id || newId('evt');
      const old = cal().events[id] || {};
      const start = d.allDay ? toIso(d.date, 0) : toIso(d.date, d.start);
      const end = d.allDay ? toIso(d.endDate, 0) : toIso(d.date, d.end);
      cal().events[id] = Object.assign({}, old, {
        id, title: d.title.trim(), start, end, allDay: d.allDay, location: d.location.trim(),
        description: d.description, calendarId: d.calendarId, color: d.color || old.color || '',
        recurrence: d.recurrence, meetingId: d.meet ? (old.meetingId || meetingCode(id)) : '',
        reminder: d.allDay && !old.id ? 'none' : d.reminder, guests: old.guests || [],
      });
      msg = d.mode === 'edit' ? 'Event updated' : 'Event saved';
    }
    ui.dialog = null;
    ui.picker = null;
    render();
    snackbar(msg, null);
    await H.save();
  }

  // ---------------------------------------------------------------- pickers (date grid, time list)
  function renderPicker() {
    const root = $('#picker-root');
    const p = ui.picker;
    if (!p || !ui.dialog) { root.innerHTML = ''; return; }
    const d = ui.dialog;
    let html;
    if (p.type === 'date') {
      const sel = d[p.which];
      html = `<div class="picker date-picker" role="dialog" aria-label="Choose date" style="left:${p.left}px;top:${p.top}px">
        <div class="mini-head"><span class="mini-title" aria-live="polite">${MONTHS[p.m - 1]} ${p.y}</span>
        <button class="icon-btn sm" data-pmonth="-1" aria-label="Previous month">‹</button>
        <button class="icon-btn sm" data-pmonth="1" aria-label="Next month">›</button></div><div class="mini-grid">`;
      html += ['S', 'M', 'T', 'W', 'T', 'F', 'S'].map((w) => `<span class="mini-wd" aria-hidden="true">${w}</span>`).join('');
      for (const c of monthGrid(p.y, p.m)) {
        const cls = ['mini-day'];
        if (c.m !== p.m) cls.push('other');
        if (sameDay(c, sel)) cls.push('selected');
        if (sameDay(c, today())) cls.push('today');
        html += `<button class="${cls.join(' ')}" data-pday="${c.y}-${c.m}-${c.d}" aria-label="${fullDate(c)}">${c.d}</button>`;
      }
      html += '</div></div>';
    } else {
      const opts = p.which === 'start' ? timeOptions(0, false) : timeOptions(d.start + 15, true);
      const cur = d[p.which];
      html = `<ul class="picker time-picker" role="listbox" aria-label="${p.which === 'start' ? 'Start time' : 'End time'}" style="left:${p.left}px;top:${p.top}px">`;
      for (const o of opts) {
        html += `<li role="option" aria-label="${o.label}" aria-selected="${o.m === cur}" class="${o.m === cur ? 'selected' : ''}" data-ptime="${o.m}">
          ${o.label}${o.dur ? ` <span class="muted">(${o.dur})</span>` : ''}</li>`;
      }
      html += '</ul>';
    }
    root.innerHTML = html;
    const sel = $('.time-picker .selected', root);
    if (sel) sel.scrollIntoView({ block: 'center' });
  }

  // ---------------------------------------------------------------- snackbar
  let snackTimer = null;
  function snackbar(text, undo) {
    const el = $('#snackbar');
    $('#snackbar-text').textContent = text;
    const u = $('#snackbar-undo');
    u.hidden = !undo;
    u.onclick = undo ? async () => { el.hidden = true; await undo(); } : null;
    el.hidden = false;
    clearTimeout(snackTimer);
    snackTimer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  async function deleteCurrent() {
    const p = ui.popover;
    if (!p) return;
    ui.popover = null;
    if (p.kind === 'task') {
      const tk = cal().myTasks[p.id];
      delete cal().myTasks[p.id];
      render();
      snackbar('Task deleted', async () => { cal().myTasks[tk.id] = tk; render(); await H.save(); });
    } else {
      const ev = cal().events[p.id];
      delete cal().events[p.id];
      cal().deletedEvents.push(ev);
      render();
      snackbar('Event deleted', async () => {
        cal().events[ev.id] = ev;
        cal().deletedEvents = cal().deletedEvents.filter((x) => x.id !== ev.id);
        render();
        await H.save();
      });
    }
    await H.save();
  }

  // ---------------------------------------------------------------- events
  const parseDay = (s) => { const [y, m, d] = s.split('-').map(Number); return { y, m, d }; };
  function goTo(day) {
    ui.anchor = day;
    ui.miniMonth = { y: day.y, m: day.m };
    render();
  }
  function shift(dir) {
    const step = ui.view === 'day' ? 1 : 7;
    let a = addDays(ui.anchor, dir * step);
    if (ui.view === 'workweek' && (weekday(a) === 0 || weekday(a) === 6)) a = addDays(a, weekday(a) === 0 ? 1 : -1);
    goTo(a);
  }

  document.addEventListener('click', async (e) => {
    const t = e.target;
    const closest = (s) => t.closest(s);
    let el;
    if (closest('#create-btn')) {
      openDialog(newDraft(today(), nextHour()));
      return;
    }
    if (closest('#today-btn')) { ui.popover = null; goTo(today()); return; }
    if (closest('#prev-btn')) { shift(-1); return; }
    if (closest('#next-btn')) { shift(1); return; }
    if ((el = closest('[data-mini]'))) {
      const mm = ui.miniMonth; const n = ld(mm.y, mm.m + Number(el.dataset.mini), 1);
      ui.miniMonth = { y: n.y, m: n.m }; renderMiniCal(); return;
    }
    if ((el = closest('[data-goto]'))) { goTo(parseDay(el.dataset.goto)); return; }
    if ((el = closest('[data-dayview]'))) { ui.view = 'day'; goTo(parseDay(el.dataset.dayview)); return; }
    if (closest('#view-btn')) { const m = $('#view-menu'); m.hidden = !m.hidden; $('#view-btn').setAttribute('aria-expanded', String(!m.hidden)); return; }
    if ((el = closest('[data-view]'))) { ui.view = el.dataset.view; $('#view-menu').hidden = true; $('#view-btn').setAttribute('aria-expanded', 'false'); goTo(ui.anchor); return; }
    if (!closest('.view-menu-wrap')) $('#view-menu').hidden = true;
    if (closest('#search-btn')) {
      const inp = $('#search-input'); inp.hidden = !inp.hidden;
      if (!inp.hidden) inp.focus(); else { inp.value = ''; ui.query = ''; renderGrid(); }
      return;
    }
    if (closest('#snackbar-close')) { $('#snackbar').hidden = true; return; }

    // pickers
    if (ui.picker) {
      if ((el = closest('[data-pmonth]'))) { const n = ld(ui.picker.y, ui.picker.m + Number(el.dataset.pmonth), 1); ui.picker.y = n.y; ui.picker.m = n.m; renderPicker(); return; }
      if ((el = closest('[data-pday]'))) {
        const d = ui.dialog; const day = parseDay(el.dataset.pday);
        if (ui.picker.which === 'date') {
          const len = dayNum(d.endDate) - dayNum(d.date);
          d.date = day; d.endDate = addDays(day, Math.max(0, len));
        } else d.endDate = day;
        d.error = ''; ui.picker = null; readDialogInputs(); render(); return;
      }
      if ((el = closest('[data-ptime]'))) {
        const d = ui.dialog; const m = Number(el.dataset.ptime);
        if (ui.picker.which === 'start') { const dur = d.end - d.start; d.start = m; d.end = Math.min(24 * 60 - 15, m + Math.max(15, dur)); if (d.end <= d.start) d.end = Math.min(24 * 60 - 1, d.start + 15); }
        else d.end = m;
        d.error = ''; ui.picker = null; readDialogInputs(); render(); return;
      }
      if (!closest('.picker')) { ui.picker = null; renderPicker(); if (!closest('[data-pick]')) return; }
    }

    // dialog
    if (ui.dialog) {
      if ((el = closest('[data-pick]'))) {
        readDialogInputs();
        const r = el.getBoundingClientRect();
        const which = el.dataset.pick;
        const pos = { left: Math.round(Math.min(r.left, window.innerWidth - 300)), top: Math.round(Math.max(8, Math.min(r.bottom + 4, window.innerHeight - 320))) };
        if (which === 'date' || which === 'endDate') {
          const cur = ui.dialog[which];
          ui.picker = Object.assign({ type: 'date', which, y: cur.y, m: cur.m }, pos);
        } else ui.picker = Object.assign({ type: 'time', which }, pos);
        renderPicker(); return;
      }
      if ((el = closest('[data-kind]'))) { readDialogInputs(); ui.dialog.kind = el.dataset.kind; render(); $('#dlg-title').focus(); return; }
      if (closest('[data-act="more"]')) { readDialogInputs(); ui.dialog.expanded = true; render(); return; }
      if (closest('[data-act="meet"]')) { readDialogInputs(); ui.dialog.meet = !ui.dialog.meet; render(); return; }
      if (closest('[data-act="save"]')) { await saveDialog(); return; }
      if (closest('[data-act="dlg-close"]') || closest('[data-act="scrim"]')) { ui.dialog = null; ui.picker = null; render(); return; }
      return;
    }

    // pop-over
    if (ui.popover) {
      if (closest('[data-act="close"]')) { ui.popover = null; renderPopover(); return; }
      if (closest('[data-act="delete"]')) { await deleteCurrent(); return; }
      if (closest('[data-act="edit"]')) { openDialog(draftFrom(cal().events[ui.popover.id])); return; }
      if (closest('[data-act="complete"]')) {
        const tk = cal().myTasks[ui.popover.id]; tk.completed = !tk.completed; render(); await H.save(); return;
      }
      if (closest('.popover')) return;
      ui.popover = null; renderPopover();
      if (!closest('[data-ev]') && !closest('[data-task]')) return;
    }
    if ((el = closest('[data-ev]'))) { openPopover('event', el.dataset.ev, el); return; }
    if ((el = closest('[data-task]'))) { openPopover('task', el.dataset.task, el); return; }
    if ((el = closest('.day-col'))) {
      const r = el.getBoundingClientRect();
      const mins = Math.max(0, Math.min(23 * 60 + 30, Math.floor(((e.clientY - r.top) / HOUR_PX) * 2) * 30));
      openDialog(newDraft(parseDay(el.dataset.col), mins));
      return;
    }
    if ((el = closest('.allday-cell'))) {
      const idx = Array.from(el.parentNode.children).indexOf(el) - 1;
      const day = visibleDays()[idx];
      if (day) openDialog(newDraft(day, 9 * 60, true));
    }
  });

  document.addEventListener('change', async (e) => {
    const t = e.target;
    if (t.matches('[data-cal]')) {
      const c = calendarById(t.dataset.cal); c.visible = t.checked; render(); await H.save(); return;
    }
    if (t.id === 'dlg-allday') { readDialogInputs(); ui.dialog.allDay = t.checked; if (dayNum(ui.dialog.endDate) < dayNum(ui.dialog.date)) ui.dialog.endDate = ui.dialog.date; render(); return; }
    if (t.id === 'dlg-cal' || t.id === 'dlg-color' || t.id === 'dlg-repeat' || t.id === 'dlg-reminder') { readDialogInputs(); render(); }
  });
  document.addEventListener('input', (e) => {
    if (e.target.id === 'search-input') { ui.query = e.target.value.trim(); renderGrid(); }
    if (ui.dialog && /^dlg-/.test(e.target.id)) { readDialogInputs(); persistUi(); }
  });
  document.addEventListener('keydown', async (e) => {
    if (e.key === 'Escape') {
      if (ui.picker) { ui.picker = null; renderPicker(); return; }
      if (ui.dialog) { ui.dialog = null; render(); return; }
      if (ui.popover) { ui.popover = null; renderPopover(); return; }
      $('#view-menu').hidden = true;
      return;
    }
    if (e.key === 'Enter' && ui.dialog && e.target.id === 'dlg-title') { e.preventDefault(); await saveDialog(); return; }
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    if (typing || ui.dialog || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    if (k === 'c') { e.preventDefault(); openDialog(newDraft(today(), nextHour())); }
    else if (k === 't') goTo(today());
    else if (k === 'j' || k === 'n') shift(1);
    else if (k === 'k' || k === 'p') shift(-1);
    else if (k === 'd' || k === 'w' || k === 'x') { ui.view = { d: 'day', w: 'week', x: 'workweek' }[k]; goTo(ui.anchor); }
  });
  window.addEventListener('resize', () => { ui.popover = null; ui.picker = null; render(); });

  async function start() {
    await H.load();
    ui.anchor = today();
    ui.miniMonth = { y: ui.anchor.y, m: ui.anchor.m };
    render();
    document.body.classList.add('ready');
  }
  start();
})();
