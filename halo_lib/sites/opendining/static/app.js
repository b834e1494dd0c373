// OpenDining: an OpenTable look-alike. All state lives in HaloSite.state (restaurants, booking, notification,
// user, ui); every page is rendered from it (vanilla JS). Availability repeats seed.py's is_available exactly.
(function () {
  'use strict';
  const H = window.HaloSite;
  const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
    'November', 'December'];
  const MON = MONTHS.map((m) => m.slice(0, 3));
  const WD = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const LAST_DAY = '2025-12-31';
  const OCCASIONS = ['Birthday', 'Anniversary', 'Date night', 'Business meal', 'Celebration'];
  const RATINGS = [[0, 'Any rating'], [3, '3 stars & up'], [3.5, '3.5 stars & up'], [4, '4 stars & up'], [4.5, '4.5 stars & up']];
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const $ = (sel, root = document) => root.querySelector(sel);
  const S = () => H.state;
  const ui = () => S().ui;
  const draft = {}; // the booking form's fields while typing (saved on Complete reservation)

  // ---- times and dates ----
  const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const minutesOf = (s) => { const [h, m] = s.split(':'); return (+h) * 60 + (+m); };
  const timeLabel = (m) => { const h = Math.floor(m / 60); return `${h % 12 || 12}:${String(m % 60).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`; };
  const labelMinutes = (t) => { const m = /^(\d{1,2}):(\d{2}) (AM|PM)$/.exec(t || ''); return m ? ((+m[1]) % 12 + (m[3] === 'PM' ? 12 : 0)) * 60 + (+m[2]) : 0; };
  const guestsLabel = (n) => (n === 1 ? '1 person' : `${n} people`);
  const ymdParts = (ymd) => ymd.split('-').map(Number);
  const dayNum = (ymd) => { const [y, m, d] = ymdParts(ymd); return Date.UTC(y, m - 1, d) / 86400000; };
  const weekday = (ymd) => { const [y, m, d] = ymdParts(ymd); return new Date(Date.UTC(y, m - 1, d)).getUTCDay(); };
  const shortDate = (ymd) => { const [y, m, d] = ymdParts(ymd); return `${WD[weekday(ymd)]}, ${MON[m - 1]} ${d}, ${y}`; };
  const longDate = (ymd) => { const [y, m, d] = ymdParts(ymd); return `${['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][weekday(ymd)]}, ${MONTHS[m - 1]} ${d}, ${y}`; };
  const today = () => H.clock.now.slice(0, 10);
  const validDay = (ymd) => /^\d{4}-\d{2}-\d{2}$/.test(ymd || '') && ymd >= today() && ymd <= LAST_DAY;
  const TIMES = []; for (let m = 7 * 60; m <= 23 * 60; m += 30) TIMES.push(m);

  // ---- availability (seed.py: slot_times, is_available) ----
  const slotTimes = (r) => TIMES.filter((m) => m >= minutesOf(r.hours.open) && m <= minutesOf(r.hours.close) - 60);
  function isAvailable(r, ymd, m, party) {
    const idx = S().restaurants.indexOf(r);
    if (!slotTimes(r).includes(m)) return false;
    if (r.fullyBooked.includes(hhmm(m))) return false;
    const n = dayNum(ymd) - Date.UTC(2025, 0, 1) / 86400000;
    return ((idx + 1) * 7 + n * 3 + Math.floor(m / 30) * 5 + party) % 10 !== 0;
  }
  const restaurantById = (id) => S().restaurants.find((r) => r.id === id);

  // ---- rendering helpers ----
  function stars(rating) {
    let out = '';
    for (let i = 1; i <= 5; i++) out += `<span class="star ${rating >= i - 0.25 ? 'on' : ''}">★</span>`;
    return `<span class="stars" aria-hidden="true">${out}</span>`;
  }
  function slotButtons(r, compact) {
    const s = ui().search;
    const center = minutesOf(s.time);
    const times = [-60, -30, 0, 30, 60].map((d) => center + d).filter((m) => slotTimes(r).includes(m));
    if (!validDay(s.date)) return '<p class="muted">Choose a date from today to December 31, 2025.</p>';
    if (!times.length) {
      return `<p class="muted">No tables within an hour of ${timeLabel(center)}. ${esc(r.name)} takes reservations ` +
        `from ${timeLabel(minutesOf(r.hours.open))} to ${timeLabel(minutesOf(r.hours.close) - 60)}.</p>`;
    }
    return `<div class="slots${compact ? ' compact' : ''}">` + times.map((m) => (isAvailable(r, s.date, m, s.guests)
      ? `<button class="slot" data-action="slot" data-id="${r.id}" data-time="${m}">${timeLabel(m)}</button>`
      : `<button class="slot full" disabled aria-label="${timeLabel(m)} not available" title="Not available">${timeLabel(m)}</button>`)).join('') + '</div>';
  }
  function card(r) {
    return `<article class="card" aria-label="${esc(r.name)}">
      <img src="${esc(r.imageUrl)}" alt="" aria-hidden="true">
      <div class="card-body">
        <a class="card-name" href="/restaurant/${r.id}" data-nav="/restaurant/${r.id}">${esc(r.name)}</a>
        <div class="rating-row">${stars(r.rating)}<span>${r.rating.toFixed(1)} stars</span><span class="muted">(${r.reviewCount} reviews)</span></div>
        <div class="muted">${esc(r.food_type)} · ${esc(r.price)} · ${esc(r.neighborhood)}</div>
        ${slotButtons(r, true)}
      </div></article>`;
  }
  function selectOptions(values, current) {
    return values.map(([v, label]) => `<option value="${esc(v)}"${String(v) === String(current) ? ' selected' : ''}>${esc(label)}</option>`).join('');
  }
  function pickers(withTerm) {
    const s = ui().search;
    const parties = []; for (let n = 1; n <= 20; n++) parties.push([n, guestsLabel(n)]);
    const party = `<label class="picker"><span>Party size</span><select data-field="guests" aria-label="Party size">${selectOptions(parties, s.guests)}</select></label>`;
    return `<div class="pickers">${withTerm ? '' : party}
      <label class="picker"><span>Date</span><input type="date" data-field="date" aria-label="Date" value="${esc(s.date)}" min="${today()}" max="${LAST_DAY}"></label>
      <label class="picker"><span>Time</span><select data-field="time" aria-label="Time">${selectOptions(TIMES.map((m) => [hhmm(m), timeLabel(m)]), s.time)}</select></label>
      ${withTerm ? party : ''}
      ${withTerm ? `<input class="term" type="search" id="term" aria-label="Location, Restaurant, or Cuisine" placeholder="Location, Restaurant, or Cuisine" value="${esc(s.term)}">
      <button class="primary" data-action="search">Let's go</button>` : ''}
    </div>`;
  }

  // ---- pages ----
  function home() {
    const top = S().restaurants.filter((r) => r.rating >= 4.5).sort((a, b) => b.rating - a.rating || b.reviewCount - a.reviewCount);
    const cuisines = [...new Set(S().restaurants.map((r) => r.food_type))].sort();
    const hoods = [...new Set(S().restaurants.map((r) => r.neighborhood))].sort();
    return `<section class="hero"><h1>Find your table for any occasion</h1>${pickers(true)}</section>
      <section class="band" aria-labelledby="top-title"><h2 id="top-title">Top rated restaurants people are talking about</h2>
        <p class="muted">Times shown for ${esc(shortDate(ui().search.date))} around ${esc(timeLabel(minutesOf(ui().search.time)))}, ${esc(guestsLabel(ui().search.guests))}.</p>
        <div class="cards">${top.map(card).join('')}</div></section>
      <section class="band" aria-labelledby="cuisine-title"><h2 id="cuisine-title">Explore by cuisine</h2>
        <div class="chips">${cuisines.map((c) => `<button class="chip" data-action="cuisine" data-value="${esc(c)}">${esc(c)}</button>`).join('')}</div></section>
      <section class="band" aria-labelledby="hood-title"><h2 id="hood-title">Explore neighborhoods</h2>
        <div class="chips">${hoods.map((c) => `<button class="chip" data-action="hood" data-value="${esc(c)}">${esc(c)}</button>`).join('')}</div></section>`;
  }
  const norm = (t) => String(t || '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  function matches(r) {
    const s = ui().search;
    const term = norm(s.term);
    if (term && !norm(`${r.name} ${r.food_type} ${r.neighborhood}`).includes(term)) return false;
    if (s.cuisines.length && !s.cuisines.includes(r.food_type)) return false;
    if (s.neighborhoods.length && !s.neighborhoods.includes(r.neighborhood)) return false;
    return r.rating >= (s.minRating || 0);
  }
  function search() {
    const s = ui().search;
    const found = S().restaurants.filter(matches);
    const box = (kind, values, chosen) => values.map((v) => `<label class="check"><input type="checkbox" data-action="filter" data-kind="${kind}" data-value="${esc(v)}"${chosen.includes(v) ? ' checked' : ''}> ${esc(v)}</label>`).join('');
    const cuisines = [...new Set(S().restaurants.map((r) => r.food_type))].sort();
    const hoods = [...new Set(S().restaurants.map((r) => r.neighborhood))].sort();
    return `<section class="search-head">${pickers(true)}</section>
      <div class="search-layout">
        <aside class="filters" aria-label="Filters">
          <fieldset><legend>Rating</legend>${RATINGS.map(([v, l]) => `<label class="check"><input type="radio" name="rating" data-action="rating" data-value="${v}"${+s.minRating === v ? ' checked' : ''}> ${l}</label>`).join('')}</fieldset>
          <fieldset><legend>Cuisine</legend>${box('cuisines', cuisines, s.cuisines)}</fieldset>
          <fieldset><legend>Neighborhood</legend>${box('neighborhoods', hoods, s.neighborhoods)}</fieldset>
          <button class="link" data-action="clear-filters">Clear all filters</button>
        </aside>
        <section class="results" aria-label="Search results">
          <h1>${found.length} restaurant${found.length === 1 ? '' : 's'} available${s.term ? ` for “${esc(s.term)}”` : ''} in San Francisco</h1>
          ${found.length ? `<div class="list">${found.map(card).join('')}</div>` : '<p>No restaurants match. Try another search or clear the filters.</p>'}
        </section>
      </div>`;
  }
  function restaurantPage(r) {
    if (!r) return '<h1>Restaurant not found</h1><p><a href="/" data-nav="/">Back to OpenDining</a></p>';
    const s = ui().search;
    const full = ui().menuOpen === r.id;
    const sections = full ? r.menu : r.menu.slice(0, 1);
    const hist = r.histogram.map((pct, i) => `<div class="hist-row"><span>${5 - i}</span><span class="bar"><span style="width:${pct}%"></span></span></div>`).join('');
    const reviews = r.reviews.map((v) => `<li class="review"><div class="reviewer"><span class="face" aria-hidden="true">${esc(v.author.split(' ').map((w) => w[0]).join(''))}</span><span>${esc(v.author)}</span></div>
        <div><div class="rating-row">${stars(v.stars)}<span class="muted">Dined on ${esc(longDate(v.dined))}</span></div>
        <p>${esc(v.text)}</p><div class="review-foot"><button class="link">Helpful (${v.helpful})</button><button class="link">Report</button></div></div></li>`).join('');
    return `<div class="banner"><img src="${esc(r.imageUrl)}" alt="" aria-hidden="true"></div>
      <div class="rest-layout">
        <article class="rest-main" aria-label="${esc(r.name)} details">
          <h1>${esc(r.name)}</h1>
          <div class="rating-row">${stars(r.rating)}<span>${r.rating.toFixed(1)} stars</span><span class="muted">${r.reviewCount} reviews · ${esc(r.price)} · ${esc(r.food_type)} · ${esc(r.neighborhood)}</span></div>
          <nav class="tabs" aria-label="Restaurant sections"><a href="#overview">Overview</a><a href="#menu">Menu</a><a href="#reviews">Reviews</a></nav>
          <section id="overview"><p>${esc(r.description)}</p>
            <p class="muted">${esc(r.address)} · Hours: ${timeLabel(minutesOf(r.hours.open))} – ${timeLabel(minutesOf(r.hours.close) % 1440)}</p></section>
          <section id="menu" aria-labelledby="menu-title"><h2 id="menu-title">Menu</h2>
            ${sections.map((sec) => `<h3>${esc(sec.title)}</h3><ul class="menu">${sec.items.map((it) => `<li><div><strong>${esc(it.name)}</strong><div class="muted">${esc(it.description)}</div></div><span>$${it.price.toFixed(2)}</span></li>`).join('')}</ul>`).join('')}
            <button class="outline" data-action="menu" data-id="${r.id}">${full ? 'Collapse menu' : 'View full menu'}</button></section>
          <section id="reviews" aria-labelledby="reviews-title"><h2 id="reviews-title">What ${r.reviewCount} people are saying</h2>
            <div class="overall"><div><h3>Overall ratings and reviews</h3><p class="muted">Reviews can only be made by diners who have eaten at this restaurant</p>
              <div class="rating-row">${stars(r.rating)}<span>${r.rating.toFixed(1)} based on recent ratings</span></div>
              <div class="subratings">${['food', 'service', 'ambience', 'value'].map((k) => `<div><strong>${r.ratings[k].toFixed(1)}</strong><span>${k[0].toUpperCase() + k.slice(1)}</span></div>`).join('')}</div></div>
              <div class="hist" aria-label="Rating distribution">${hist}</div></div>
            <ul class="reviews">${reviews}</ul></section>
        </article>
        <aside class="reserve" aria-label="Make a reservation">
          <h2>Make a reservation</h2>
          ${pickers(false)}
          <h3>Select a time</h3>
          ${slotButtons(r, false)}
          <button class="outline notify" data-action="notify" data-id="${r.id}">Notify me</button>
          <p class="muted small">Don't see the time you want? Notify me adds you to the list for ${esc(timeLabel(minutesOf(s.time)))}.</p>
          <div class="seating"><strong>Additional seating options</strong><span class="muted">Bar · High-top · Outdoor</span></div>
        </aside>
      </div>`;
  }
  function bookingPage() {
    const p = ui().pending;
    const r = p && restaurantById(p.restaurantId);
    if (!r) return '<h1>No table selected</h1><p>Pick a time at a restaurant first.</p><p><a href="/" data-nav="/">Find a table</a></p>';
    const u = S().user;
    const f = Object.assign({ firstName: u.firstName, lastName: u.lastName, phone: u.phone, email: u.email, occasion: '', request: '' }, draft);
    const field = (k, label, type = 'text') => `<label class="field"><span>${label}</span><input type="${type}" data-draft="${k}" aria-label="${label}" value="${esc(f[k])}"></label>`;
    return `<div class="booking">
      <h1>You're almost done!</h1>
      <section class="summary" aria-label="Reservation summary">
        <img src="${esc(r.imageUrl)}" alt="" aria-hidden="true">
        <div><h2>${esc(r.name)}</h2>
          <p>${esc(shortDate(p.date))} · ${esc(timeLabel(minutesOf(p.time)))} · ${esc(guestsLabel(p.guests))}</p>
          <button class="link" data-nav="/restaurant/${r.id}">Change</button></div>
      </section>
      <form id="booking-form" aria-label="Diner details" novalidate>
        <h2>Diner details</h2>
        <div class="grid2">${field('firstName', 'First name')}${field('lastName', 'Last name')}${field('phone', 'Phone number', 'tel')}${field('email', 'Email', 'email')}</div>
        <label class="field"><span>Occasion</span><select data-draft="occasion" aria-label="Occasion">
          <option value="">Select an occasion (optional)</option>${OCCASIONS.map((o) => `<option${f.occasion === o ? ' selected' : ''}>${o}</option>`).join('')}</select></label>
        <label class="field"><span>Special request</span><textarea data-draft="request" aria-label="Add a special request (optional)" placeholder="Add a special request (optional)">${esc(f.request)}</textarea></label>
        <p id="form-error" class="error" role="alert"></p>
        <button class="primary wide" type="submit">Complete reservation</button>
        <p class="muted small">By completing you agree to the restaurant's 15-minute hold policy.</p>
      </form></div>`;
  }
  const sortedDetails = () => Object.entries(S().booking.bookingDetails).sort((a, b) => +a[0] - +b[0]);
  function confirmedPage() {
    const b = S().booking;
    const d = b.index ? b.bookingDetails[String(b.index - 1)] : null;
    if (!d) return '<h1>No reservation yet</h1><p><a href="/" data-nav="/">Find a table</a></p>';
    const ymd = d.date.slice(0, 10);
    return `<div class="booking confirmed"><h1>Reservation confirmed</h1>
      <p>Thanks, ${esc(d.firstName)}! Your table at <strong>${esc(d.restaurant.name)}</strong> is booked.</p>
      <dl class="facts"><dt>Date</dt><dd>${esc(longDate(ymd))}</dd><dt>Time</dt><dd>${esc(d.time)}</dd><dt>Party size</dt><dd>${esc(d.guests)}</dd>
        ${d.optionals.occasion ? `<dt>Occasion</dt><dd>${esc(d.optionals.occasion)}</dd>` : ''}<dt>Confirmation #</dt><dd>${esc(d.confirmationNumber)}</dd></dl>
      <p><button class="primary" data-nav="/my-reservations">View my reservations</button> <button class="outline" data-nav="/">Back to home</button></p></div>`;
  }
  function reservationsPage() {
    const all = sortedDetails();
    const row = ([k, d]) => `<li class="res-row" aria-label="${esc(d.restaurant.name)}, ${esc(d.time)}, ${esc(shortDate(d.date.slice(0, 10)))}">
        <img src="${esc(d.restaurant.imageUrl)}" alt="" aria-hidden="true"><div><strong>${esc(d.restaurant.name)}</strong>
        <div>${esc(longDate(d.date.slice(0, 10)))} at ${esc(d.time)} · ${esc(d.guests)}${d.optionals.occasion ? ` · ${esc(d.optionals.occasion)}` : ''}</div>
        <div class="muted">Confirmation #${esc(d.confirmationNumber)}</div></div>
        ${d.status === 'upcoming' ? `<button class="outline" data-action="cancel" data-key="${k}" aria-label="Cancel reservation at ${esc(d.restaurant.name)}">Cancel</button>` : ''}</li>`;
    const when = ([, d]) => `${d.date.slice(0, 10)} ${String(labelMinutes(d.time)).padStart(4, '0')}`;
    const byWhen = (a, b) => (when(a) < when(b) ? -1 : when(a) > when(b) ? 1 : 0);
    const up = all.filter(([, d]) => d.status === 'upcoming').sort(byWhen);
    const past = all.filter(([, d]) => d.status !== 'upcoming').sort(byWhen).reverse();
    return `<div class="page"><h1>My reservations</h1>
      <h2>Upcoming</h2>${up.length ? `<ul class="res-list">${up.map(row).join('')}</ul>` : '<p class="muted">No upcoming reservations.</p>'}
      <h2>Past</h2>${past.length ? `<ul class="res-list">${past.map(row).join('')}</ul>` : '<p class="muted">No past reservations.</p>'}</div>`;
  }
  function notificationsPage() {
    const all = Object.entries(S().notification.notifications).sort((a, b) => +a[0] - +b[0]);
    return `<div class="page"><h1>Notifications</h1><p class="muted">We'll tell you when a table opens up at these times.</p>
      ${all.length ? `<ul class="res-list">${all.map(([k, n]) => `<li class="res-row"><div><strong>${esc(n.restaurantName)}</strong>
        <div>${esc(longDate(n.date.slice(0, 10)))} at ${esc(n.time)} · ${esc(n.guests)}</div></div>
        <button class="outline" data-action="unnotify" data-key="${k}" aria-label="Remove notification for ${esc(n.restaurantName)} at ${esc(n.time)}">Remove</button></li>`).join('')}</ul>`
        : '<p>No notifications set.</p>'}</div>`;
  }

  function render() {
    const route = ui().route || '/';
    const main = $('#main');
    let html;
    let title = 'OpenDining';
    if (route === '/') html = home();
    else if (route === '/search') { html = search(); title = 'Search · OpenDining'; }
    else if (route.startsWith('/restaurant/')) {
      const r = restaurantById(route.split('/')[2]);
      html = restaurantPage(r); title = `${r ? r.name : 'Not found'} · OpenDining`;
    } else if (route === '/booking') { html = bookingPage(); title = 'Complete your reservation · OpenDining'; }
    else if (route === '/booking/confirmed') { html = confirmedPage(); title = 'Reservation confirmed · OpenDining'; }
    else if (route === '/my-reservations') { html = reservationsPage(); title = 'My reservations · OpenDining'; }
    else if (route === '/notifications') { html = notificationsPage(); title = 'Notifications · OpenDining'; }
    else html = '<h1>Page not found</h1><p><a href="/" data-nav="/">Back to OpenDining</a></p>';
    main.innerHTML = html;
    document.title = title;
    const n = Object.keys(S().notification.notifications).length;
    $('#notify-link').textContent = n ? `Notifications (${n})` : 'Notifications';
  }

  let toastTimer = null;
  function toast(text) {
    const t = $('#toast');
    t.textContent = text;
    t.classList.add('on');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => t.classList.remove('on'), 6000);
  }

  function go(route, push = true) {
    ui().route = route;
    if (push && location.pathname !== route) history.pushState({}, '', route);
    render();
    window.scrollTo(0, 0);
    H.save();
  }

  function nextKey(map) {
    const keys = Object.keys(map).map(Number);
    return String(keys.length ? Math.max(...keys) + 1 : 0);
  }

  function complete() {
    const p = ui().pending;
    const r = p && restaurantById(p.restaurantId);
    if (!r) return;
    const u = S().user;
    const f = Object.assign({ firstName: u.firstName, lastName: u.lastName, phone: u.phone, email: u.email, occasion: '', request: '' }, draft);
    const missing = [['firstName', 'First name'], ['lastName', 'Last name'], ['phone', 'Phone number'], ['email', 'Email']].filter(([k]) => !String(f[k]).trim());
    if (missing.length) { $('#form-error').textContent = `Please fill in: ${missing.map((m) => m[1]).join(', ')}.`; return; }
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(f.email.trim())) { $('#form-error').textContent = 'Please enter a valid email address.'; return; }
    if (!isAvailable(r, p.date, minutesOf(p.time), p.guests)) { $('#form-error').textContent = 'Sorry, this time is no longer available.'; return; }
    const b = S().booking;
    const key = nextKey(b.bookingDetails);
    const timeText = timeLabel(minutesOf(p.time));
    const detail = {
      restaurant: { id: r.id, name: r.name, food_type: r.food_type, rating: r.rating, description: r.description, imageUrl: r.imageUrl,
        neighborhood: r.neighborhood, address: r.address, price: r.price },
      date: `${p.date}T00:00:00.000Z`, time: timeText, guests: guestsLabel(p.guests),
      optionals: { occasion: f.occasion, request: f.request.trim() },
      firstName: f.firstName.trim(), lastName: f.lastName.trim(), phone: f.phone.trim(), email: f.email.trim(),
      confirmationNumber: `OD${48213 + (+key) * 1117}`, status: 'upcoming', createdAt: H.iso(H.now()),
    };
    b.bookingDetails[key] = detail;
    Object.assign(b, { index: +key + 1, date: detail.date, time: timeText, guests: detail.guests, restaurantId: r.id,
      bookingCompleted: true, loading: false });
    ui().pending = null;
    for (const k of Object.keys(draft)) delete draft[k];
    go('/booking/confirmed');
  }

  function onClick(e) {
    const nav = e.target.closest('[data-nav]');
    if (nav) { e.preventDefault(); go(nav.getAttribute('data-nav')); return; }
    const el = e.target.closest('[data-action]');
    if (!el) return;
    const a = el.getAttribute('data-action');
    const s = ui().search;
    if (a === 'search') { s.term = ($('#term') || {}).value || ''; s.cuisines = []; s.neighborhoods = []; s.minRating = 0; go('/search'); }
    else if (a === 'cuisine') { Object.assign(s, { term: '', cuisines: [el.dataset.value], neighborhoods: [], minRating: 0 }); go('/search'); }
    else if (a === 'hood') { Object.assign(s, { term: '', cuisines: [], neighborhoods: [el.dataset.value], minRating: 0 }); go('/search'); }
    else if (a === 'filter') {
      const list = s[el.dataset.kind];
      const i = list.indexOf(el.dataset.value);
      if (el.checked && i < 0) list.push(el.dataset.value);
      if (!el.checked && i >= 0) list.splice(i, 1);
      render(); H.save();
    } else if (a === 'rating') { s.minRating = +el.dataset.value; render(); H.save(); }
    else if (a === 'clear-filters') { Object.assign(s, { cuisines: [], neighborhoods: [], minRating: 0 }); render(); H.save(); }
    else if (a === 'menu') { ui().menuOpen = ui().menuOpen === el.dataset.id ? null : el.dataset.id; render(); }
    else if (a === 'slot') {
      ui().pending = { restaurantId: el.dataset.id, date: s.date, time: hhmm(+el.dataset.time), guests: +s.guests };
      for (const k of Object.keys(draft)) delete draft[k];
      go('/booking');
    } else if (a === 'notify') {
      const r = restaurantById(el.dataset.id);
      if (!validDay(s.date)) { toast('Choose a date from today to December 31, 2025.'); return; }
      const n = S().notification.notifications;
      const entry = { restaurantId: r.id, restaurantName: r.name, date: `${s.date}T00:00:00.000Z`, time: timeLabel(minutesOf(s.time)),
        guests: guestsLabel(+s.guests), createdAt: H.iso(H.now()) };
      const same = Object.values(n).some((x) => x.restaurantId === entry.restaurantId && x.date === entry.date && x.time === entry.time && x.guests === entry.guests);
      if (!same) n[nextKey(n)] = entry;
      render(); H.save();
      toast(`You're on the notify list for ${r.name} at ${entry.time} on ${shortDate(s.date)} (${entry.guests}). We'll let you know when a table opens up.`);
    } else if (a === 'cancel') {
      const d = S().booking.bookingDetails[el.dataset.key];
      delete S().booking.bookingDetails[el.dataset.key];
      render(); H.save();
      if (d) toast(`Your reservation at ${d.restaurant.name} was cancelled.`);
    } else if (a === 'unnotify') {
      delete S().notification.notifications[el.dataset.key];
      render(); H.save();
    }
  }

  function onChange(e) {
    const el = e.target;
    const fieldName = el.getAttribute('data-field');
    if (fieldName) {
      const s = ui().search;
      if (fieldName === 'guests') s.guests = +el.value;
      else if (fieldName === 'date') { if (!/^\d{4}-\d{2}-\d{2}$/.test(el.value)) return; s.date = el.value; }
      else s[fieldName] = el.value;
      render(); H.save();
      return;
    }
    const d = el.getAttribute('data-draft');
    if (d) draft[d] = el.value;
  }

  function onInput(e) {
    const d = e.target.getAttribute('data-draft');
    if (d) draft[d] = e.target.value;
  }

  function onSubmit(e) {
    if (e.target.id === 'booking-form') { e.preventDefault(); complete(); }
  }

  function onKey(e) {
    if (e.key === 'Enter' && e.target.id === 'term') { e.preventDefault(); $('[data-action="search"]').click(); }
  }

  async function start() {
    await H.load();
    ui().route = location.pathname; // the address is the page (the first page after /config is /)
    document.addEventListener('click', onClick);
    document.addEventListener('change', onChange);
    document.addEventListener('input', onInput);
    document.addEventListener('submit', onSubmit);
    document.addEventListener('keydown', onKey);
    window.addEventListener('popstate', () => { ui().route = location.pathname; render(); H.save(); });
    render();
  }
  start();
})();
