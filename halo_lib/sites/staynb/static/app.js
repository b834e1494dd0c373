// Staynb: an Airbnb look-alike. All state lives in HaloSite.state (listings, search, wishlist, booking, share, user,
// ui); every page is rendered from it (vanilla JS). seed.py documents the shape and why the official scripts need it.
(function () {
  'use strict';
  const H = window.HaloSite;
  const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const LAST_DAY = '2025-12-31';
  const NEARBY = 'Nearby';
  const AMENITIES = ['Wifi', 'Kitchen', 'Free parking', 'Air conditioning', 'Pool', 'Washer', 'Hot tub', 'TV', 'Heating', 'Dedicated workspace'];
  const TYPES = ['Entire home', 'Apartment', 'Cabin', 'Villa', 'Private room'];
  const GUEST_KINDS = [['Adults', 'Ages 13 or above'], ['Children', 'Ages 2-12'], ['Infants', 'Under 2'], ['Pets', 'Bringing a service animal?']];
  const CHATS = ['Group chat', 'Sam Lee', 'Jordan Rivera'];
  const CHANNELS = ['Copy link', 'Email', 'Messages', 'WhatsApp'];
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const $ = (sel, root = document) => root.querySelector(sel);
  const S = () => H.state;
  const ui = () => S().ui;

  // ---- dates, guests, prices (seed.py: date_value, guests_label, price_breakdown) ----
  const today = () => H.clock.now.slice(0, 10);
  const isDay = (v) => /^\d{4}-\d{2}-\d{2}$/.test(v || '');
  const dateValue = (ymd) => (ymd ? `${ymd}T00:00:00.000Z` : null);
  const dayNum = (ymd) => { const [y, m, d] = ymd.split('-').map(Number); return Date.UTC(y, m - 1, d) / 86400000; };
  const nightsOf = (a, b) => dayNum(b) - dayNum(a);
  const short = (ymd) => { const [, m, d] = ymd.split('-').map(Number); return `${MON[m - 1]} ${d}`; };
  const range = (a, b) => (a && b ? (a.slice(0, 7) === b.slice(0, 7) ? `${short(a)} – ${+b.slice(8)}` : `${short(a)} – ${short(b)}`) : '');
  const guestsLabel = (n) => (n === 1 ? '1 guest' : `${n} guests`);
  const money = (n) => `$${n.toLocaleString('en-US')}`;
  function prices(l, a, b) {
    const n = nightsOf(a, b);
    const subtotal = l.pricePerNight * n;
    const cleaning = n > 0 ? Math.round(l.pricePerNight * 0.12) : 0;
    const service = Math.round(subtotal * 0.14);
    return { nights: n, subtotal, cleaningFee: cleaning, serviceFee: service, total: subtotal + cleaning + service };
  }
  const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const roomsLine = (r) => `${plural(r.guests, 'guest')} · ${plural(r.bedrooms, 'bedroom')} · ${plural(r.beds, 'bed')} · ${plural(r.bathrooms, 'bath')}`;
  const nextKey = (obj) => String(Object.keys(obj).reduce((m, k) => Math.max(m, +k + 1), 0));

  // ---- the draft of the search pill (ui.draft) ----
  function draft() {
    if (!ui().draft) {
      const s = S().search;
      const g = s.appliedGuestCounts || { Adults: 0, Children: 0, Infants: 0, Pets: 0 };
      ui().draft = { destination: s.appliedDestination || '', checkIn: (s.appliedDates && s.appliedDates.startDate || '').slice(0, 10),
        checkOut: (s.appliedDates && s.appliedDates.endDate || '').slice(0, 10), guests: Object.assign({}, g) };
    }
    return ui().draft;
  }
  const totalGuests = (g) => (g.Adults || 0) + (g.Children || 0);
  function whoLabel(g) {
    const n = totalGuests(g);
    if (!n && !g.Infants && !g.Pets) return 'Add guests';
    let out = guestsLabel(n);
    if (g.Infants) out += `, ${g.Infants === 1 ? '1 infant' : `${g.Infants} infants`}`;
    if (g.Pets) out += `, ${g.Pets === 1 ? '1 pet' : `${g.Pets} pets`}`;
    return out;
  }
  const PLACES = () => [...new Set(S().listings.map((l) => l.destination))];
  function canonicalPlace(text) {
    const t = text.trim().toLowerCase();
    return PLACES().find((p) => p.toLowerCase() === t) || text.trim();
  }

  // ---- the pill ----
  function pill() {
    const d = draft();
    const open = ui().open;
    const suggestions = PLACES().filter((p) => !d.destination || p.toLowerCase().includes(d.destination.trim().toLowerCase()) || open === 'where-all');
    return `<form class="pill" id="search-form" role="search" aria-label="Search stays">
      <label class="seg where"><span>Where</span><input type="search" id="where" aria-label="Where" placeholder="Search destinations" autocomplete="off" value="${esc(d.destination)}"></label>
      <label class="seg"><span>Check in</span><input type="date" data-draft="checkIn" aria-label="Check in" min="${today()}" max="${LAST_DAY}" value="${esc(d.checkIn)}"></label>
      <label class="seg"><span>Check out</span><input type="date" data-draft="checkOut" aria-label="Check out" min="${today()}" max="${LAST_DAY}" value="${esc(d.checkOut)}"></label>
      <div class="seg"><span>Who</span><button type="button" class="who-btn" data-action="who" aria-label="Who" aria-expanded="${open === 'who'}">${esc(whoLabel(d.guests))}</button></div>
      <button type="submit" class="search-btn" aria-label="Search">⌕ Search</button>
      ${open === 'where' || open === 'where-all' ? `<div class="popover suggest" role="listbox" aria-label="Suggested destinations">${suggestions.map((p) => `<button type="button" role="option" class="suggestion" data-action="place" data-value="${esc(p)}"><span class="pin" aria-hidden="true">${p === NEARBY ? '➤' : '⌂'}</span>${esc(p === NEARBY ? NEARBY : p)}${p === NEARBY ? ' <small class="muted">Find what\'s around you</small>' : ''}</button>`).join('') || '<p class="muted">No matching destinations</p>'}</div>` : ''}
      ${open === 'who' ? `<div class="popover guests" role="group" aria-label="Guests">${GUEST_KINDS.map(([k, help]) => `<div class="counter"><div><b>${k}</b><small>${help}</small></div>
        <div><button type="button" class="round" data-action="guest" data-kind="${k}" data-delta="-1" aria-label="Decrease ${k}"${d.guests[k] ? '' : ' disabled'}>−</button>
        <span class="count" aria-label="${k} count">${d.guests[k] || 0}</span>
        <button type="button" class="round" data-action="guest" data-kind="${k}" data-delta="1" aria-label="Increase ${k}">+</button></div></div>`).join('')}
        <div class="actions-row"><button type="button" class="link" data-action="close">Close</button></div></div>` : ''}
    </form>`;
  }

  // ---- listings ----
  function matches(l, s, withFilters = true) {
    const dest = (s.appliedDestination || '').trim().toLowerCase();
    if (dest && l.destination.toLowerCase() !== dest && !`${l.title} ${l.location} ${l.destination}`.toLowerCase().includes(dest)) return false;
    const g = s.appliedGuestCounts;
    if (g && totalGuests(g) > l.rooms.guests) return false;
    const f = withFilters && s.appliedFilters;
    if (f) {
      if (l.pricePerNight < (f.priceMin || 0) || l.pricePerNight > (f.priceMax || 1e9)) return false;
      if (l.rooms.bedrooms < f.bedrooms || l.rooms.beds < f.beds || l.rooms.bathrooms < f.bathrooms) return false;
      if (f.types.length && !f.types.includes(l.type)) return false;
      if (!f.amenities.every((a) => l.amenities.includes(a))) return false;
    }
    return true;
  }
  const savedKeys = (id) => Object.keys(S().wishlist.wishlists).filter((k) => S().wishlist.wishlists[k].stays.some((x) => x.id === id));
  function photo(l, k = 0) {
    const h = (l.hue + k * 37) % 360;
    return `<div class="photo" aria-hidden="true" style="background: linear-gradient(160deg, hsl(${h},45%,${62 - k * 4}%), hsl(${(h + 40) % 360},35%,${30 + k * 3}%))"><div class="hill"></div>${k % 2 === 0 ? '<div class="roof"></div>' : ''}</div>`;
  }
  function card(l) {
    const s = S().search;
    const saved = savedKeys(l.id).length > 0;
    const a = s.appliedDates && s.appliedDates.startDate; const b = s.appliedDates && s.appliedDates.endDate;
    return `<article class="card" aria-label="${esc(l.title)}">
      <a href="/rooms/${l.id}" data-nav="/rooms/${l.id}" tabindex="-1" aria-hidden="true">${photo(l)}</a>
      <button class="heart${saved ? ' on' : ''}" data-action="heart" data-id="${l.id}" aria-label="${saved ? `Remove ${esc(l.title)} from wishlist` : `Save ${esc(l.title)} to a wishlist`}">${saved ? '♥' : '♡'}</button>
      <div class="card-title"><a href="/rooms/${l.id}" data-nav="/rooms/${l.id}">${esc(l.title)}</a><span>★ ${l.rating.toFixed(2)}</span></div>
      <div class="muted">${esc(l.type)} in ${esc(l.location)}</div>
      <div class="muted">${plural(l.rooms.bedrooms, 'bedroom')} · ${plural(l.rooms.beds, 'bed')}${a && b ? ` · ${range(a.slice(0, 10), b.slice(0, 10))}` : ''}</div>
      <div class="price"><b>${money(l.pricePerNight)}</b> night</div></article>`;
  }

  // ---- pages ----
  function home() {
    const ls = S().listings;
    return `<h1 class="sr-title">Find your next stay</h1><div class="grid">${ls.map(card).join('')}</div>`;
  }
  function results() {
    const s = S().search;
    if (!('appliedDestination' in s)) return home();
    const found = S().listings.filter((l) => matches(l, s));
    const f = s.appliedFilters;
    const nf = f ? (f.amenities.length + f.types.length + (f.bedrooms > 0) + (f.beds > 0) + (f.bathrooms > 0) + ((f.priceMin || 0) > 0 || (f.priceMax || 1000) < 1000)) : 0;
    const where = s.appliedDestination || 'all places';
    const a = s.appliedDates && s.appliedDates.startDate;
    return `<div class="toolbar"><h1>${found.length === 1 ? '1 place' : `${found.length} places`} in ${esc(where)}</h1>
      <button class="outline" data-action="filters" aria-haspopup="dialog">Filters${nf ? ` (${nf})` : ''}</button></div>
      <p class="muted">${a ? esc(range(a.slice(0, 10), s.appliedDates.endDate.slice(0, 10))) + ' · ' : ''}${esc(whoLabel(s.appliedGuestCounts || {}))}</p>
      ${found.length ? `<div class="grid">${found.map(card).join('')}</div>` : '<p>No exact matches. Try changing or removing some of your filters or adjusting your search area.</p>'}`;
  }
  function listingPage(id) {
    const l = S().listings.find((x) => x.id === id);
    if (!l) return '<h1>This place is not available</h1><p><a href="/" data-nav="/">Back to all stays</a></p>';
    const d = draft();
    const lc = ui().trip && ui().trip.id === id ? ui().trip : (ui().trip = { id, checkIn: d.checkIn, checkOut: d.checkOut, guests: Math.max(1, Math.min(l.rooms.guests, totalGuests(d.guests) || 1)) });
    const ok = isDay(lc.checkIn) && isDay(lc.checkOut) && nightsOf(lc.checkIn, lc.checkOut) > 0;
    const p = ok ? prices(l, lc.checkIn, lc.checkOut) : null;
    const saved = savedKeys(l.id).length > 0;
    const guestOptions = []; for (let n = 1; n <= l.rooms.guests; n++) guestOptions.push(`<option value="${n}"${n === +lc.guests ? ' selected' : ''}>${guestsLabel(n)}</option>`);
    return `<div class="toolbar"><h1>${esc(l.title)}</h1><div class="actions-row">
        <button class="link" data-action="share" data-id="${l.id}" aria-haspopup="dialog">Share</button>
        <button class="link" data-action="heart" data-id="${l.id}">${saved ? 'Saved' : 'Save'}</button></div></div>
      <div class="mosaic">${[0, 1, 2, 3, 4].map((k) => photo(l, k)).join('')}</div>
      <div class="listing-layout"><section>
        <h2>${esc(l.type)} in ${esc(l.location)}</h2>
        <p>${esc(roomsLine(l.rooms))}</p>
        <p><b>★ ${l.rating.toFixed(2)}</b> · ${l.reviewCount} reviews${l.superhost ? ' · Superhost' : ''}</p>
        <p>Hosted by ${esc(l.host)}</p><p>${esc(l.description)}</p>
        <h2>What this place offers</h2><ul class="amenities">${l.amenities.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>
        <h2>★ ${l.rating.toFixed(2)} · ${l.reviewCount} reviews</h2>
        ${l.reviews.map((r) => `<div class="review"><b>${esc(r.author)}</b> <span class="muted">${esc(r.date)} · ${'★'.repeat(r.stars)}</span><p>${esc(r.text)}</p></div>`).join('')}
      </section>
      <aside class="reserve-card" aria-label="Reserve">
        <p><b style="font-size:22px">${money(l.pricePerNight)}</b> night</p>
        <label>Check-in<input type="date" data-trip="checkIn" aria-label="Check-in date" min="${today()}" max="${LAST_DAY}" value="${esc(lc.checkIn)}"></label>
        <label>Checkout<input type="date" data-trip="checkOut" aria-label="Checkout date" min="${today()}" max="${LAST_DAY}" value="${esc(lc.checkOut)}"></label>
        <label>Guests<select data-trip="guests" aria-label="Guests">${guestOptions.join('')}</select></label>
        <button class="primary wide" data-action="reserve" data-id="${l.id}">Reserve</button>
        <p class="muted" style="text-align:center">You won't be charged yet</p>
        ${p ? `<div class="line"><span>${money(l.pricePerNight)} x ${plural(p.nights, 'night')}</span><span>${money(p.subtotal)}</span></div>
        <div class="line"><span>Cleaning fee</span><span>${money(p.cleaningFee)}</span></div>
        <div class="line"><span>Staynb service fee</span><span>${money(p.serviceFee)}</span></div>
        <div class="line total"><span>Total before taxes</span><span id="trip-total">${money(p.total)}</span></div>` : '<p class="muted">Add your travel dates for exact pricing.</p>'}
      </aside></div>`;
  }
  function bookPage() {
    const b = S().booking;
    const c = b.currentBooking;
    if (!c || !b.isBooking) return '<h1>Nothing to pay for</h1><p><a href="/" data-nav="/">Find a stay</a></p>';
    const e = b.errors;
    const field = (k, label, ph) => `<label>${label}<input data-pay="${k}" aria-label="${label}" placeholder="${ph}" value="${esc((ui().pay || {})[k] || '')}"></label>${e[k] ? `<p class="error" role="alert">${esc(e[k])}</p>` : ''}`;
    return `<h1>Confirm and pay</h1><div class="listing-layout"><section class="form">
        <h2>Your trip</h2><p><b>Dates</b><br>${esc(range(c.checkIn.slice(0, 10), c.checkOut.slice(0, 10)))}, ${c.checkIn.slice(0, 4)}</p><p><b>Guests</b><br>${esc(c.guestLabel)}</p>
        <h2>Pay with</h2>${field('cardNumber', 'Card number', '1234 5678 9012 3456')}${field('expiration', 'Expiration', 'MM/YY')}${field('cvv', 'CVV', '123')}${field('zipcode', 'ZIP code', '94103')}
        <button class="primary" data-action="pay">Confirm and pay</button> <button class="link" data-action="cancel-booking">Cancel</button>
      </section><aside class="reserve-card" aria-label="Price details"><h2>${esc(c.listing.title)}</h2><p class="muted">${esc(c.listing.type)} in ${esc(c.listing.location)}</p>
        <div class="line"><span>${money(c.listing.pricePerNight)} x ${plural(c.price.nights, 'night')}</span><span>${money(c.price.subtotal)}</span></div>
        <div class="line"><span>Cleaning fee</span><span>${money(c.price.cleaningFee)}</span></div>
        <div class="line"><span>Staynb service fee</span><span>${money(c.price.serviceFee)}</span></div>
        <div class="line total"><span>Total (USD)</span><span>${money(c.price.total)}</span></div></aside></div>`;
  }
  function trips() {
    const all = Object.entries(S().booking.bookingDetails).sort((x, y) => (y[1].checkIn < x[1].checkIn ? -1 : 1));
    return `<h1>Trips</h1>${all.map(([k, t]) => `<div class="trip" aria-label="Trip ${esc(t.confirmationCode)}"><b>${esc(t.listing.title)}</b> · ${esc(t.listing.location)}<br>
      ${esc(range(t.checkIn.slice(0, 10), t.checkOut.slice(0, 10)))}, ${t.checkIn.slice(0, 4)} · ${esc(t.guestLabel)} · ${money(t.price.total)} total<br>
      <span class="muted">Confirmation code ${esc(t.confirmationCode)} · ${esc(t.status === 'upcoming' ? 'Upcoming' : 'Completed')}</span></div>`).join('') || '<p>No trips booked... yet!</p>'}`;
  }
  function wishlistsPage() {
    const w = Object.entries(S().wishlist.wishlists);
    return `<h1>Wishlists</h1>${w.map(([k, x]) => `<section class="trip" aria-label="${esc(x.name)}"><h2>${esc(x.name)}</h2>${x.stays.length ? `<ul>${x.stays.map((s) => `<li><a href="/rooms/${s.id}" data-nav="/rooms/${s.id}">${esc(s.title)}</a> · ${esc(s.location)} · ${money(s.pricePerNight)} night</li>`).join('')}</ul>` : '<p class="muted">Nothing saved yet</p>'}</section>`).join('') || '<p>Create your first wishlist: as you search, click the heart icon to save your favorite places.</p>'}`;
  }

  // ---- dialogs ----
  function dialog() {
    const d = ui().dialog;
    if (!d) return '';
    let body = '';
    if (d.kind === 'filters') {
      const f = d.filters;
      const counts = ['bedrooms', 'beds', 'bathrooms'].map((k) => { const label = k[0].toUpperCase() + k.slice(1); return `<div class="counter"><b>${label}</b><div>
        <button type="button" class="round" data-action="fcount" data-kind="${k}" data-delta="-1" aria-label="Decrease ${label}"${f[k] ? '' : ' disabled'}>−</button>
        <span class="count" aria-label="${label} minimum">${f[k] ? `${f[k]}+` : 'Any'}</span>
        <button type="button" class="round" data-action="fcount" data-kind="${k}" data-delta="1" aria-label="Increase ${label}">+</button></div></div>`; }).join('');
      const s = Object.assign({}, S().search, { appliedFilters: f });
      const n = S().listings.filter((l) => matches(l, s)).length;
      body = `<header><h2>Filters</h2><button class="link" data-action="close-dialog" aria-label="Close">✕</button></header>
        <h3>Type of place</h3><div class="checks">${TYPES.map((t) => `<label><input type="checkbox" data-action="ftype" data-value="${esc(t)}"${f.types.includes(t) ? ' checked' : ''}> ${esc(t)}</label>`).join('')}</div>
        <h3>Price range</h3><p class="muted">Nightly prices before fees and taxes</p><div class="range">
          <label>Minimum<input type="number" data-fprice="priceMin" aria-label="Minimum price" min="0" value="${f.priceMin}"></label>
          <label>Maximum<input type="number" data-fprice="priceMax" aria-label="Maximum price" min="0" value="${f.priceMax}"></label></div>
        <h3>Rooms and beds</h3>${counts}
        <h3>Amenities</h3><div class="checks">${AMENITIES.map((a) => `<label><input type="checkbox" data-action="famenity" data-value="${esc(a)}"${f.amenities.includes(a) ? ' checked' : ''}> ${esc(a)}</label>`).join('')}</div>
        <footer><button class="link" data-action="clear-filters">Clear all</button><span class="muted" id="filter-count">${n === 1 ? '1 place' : `${n} places`}</span><button class="dark" data-action="apply-filters">Show places</button></footer>`;
    } else if (d.kind === 'wishlist') {
      const l = S().listings.find((x) => x.id === d.id);
      const w = Object.entries(S().wishlist.wishlists);
      body = `<header><h2>Save to wishlist</h2><button class="link" data-action="close-dialog" aria-label="Close">✕</button></header>
        <p>${esc(l.title)} · ${esc(l.location)}</p>
        <div class="option-list">${w.map(([k, x]) => `<button class="outline" data-action="save-to" data-key="${k}">${esc(x.name)}</button>`).join('')}</div>
        <h3>Create new wishlist</h3><div class="form"><label>Name<input id="wishlist-name" aria-label="Wishlist name" maxlength="50" value="${esc(d.name || '')}"></label>
        <button class="dark" data-action="create-wishlist">Create</button></div>`;
    } else if (d.kind === 'share') {
      const l = S().listings.find((x) => x.id === d.id);
      body = `<header><h2>Share this place</h2><button class="link" data-action="close-dialog" aria-label="Close">✕</button></header>
        <p>${esc(l.title)} · ${esc(l.location)}</p>
        ${d.channel === 'Messages' ? `<h3>Send in Messages</h3><div class="option-list">${CHATS.map((c) => `<button class="outline" data-action="share-to" data-value="${esc(c)}">${esc(c)}</button>`).join('')}</div>`
          : `<div class="option-list">${CHANNELS.map((c) => `<button class="outline" data-action="channel" data-value="${esc(c)}">${esc(c)}</button>`).join('')}</div>`}`;
    }
    return `<div class="backdrop"><div class="dialog" role="dialog" aria-modal="true" aria-label="${esc(d.kind === 'filters' ? 'Filters' : d.kind === 'share' ? 'Share this place' : 'Save to wishlist')}">${body}</div></div>`;
  }

  // ---- routing and rendering ----
  function page() {
    const r = ui().route;
    if (r === '/' ) return home();
    if (r === '/s') return results();
    if (r.startsWith('/rooms/')) return listingPage(r.slice(7));
    if (r.startsWith('/book/')) return bookPage();
    if (r === '/trips') return trips();
    if (r === '/wishlists') return wishlistsPage();
    return '<h1>Page not found</h1><p><a href="/" data-nav="/">Back to Staynb</a></p>';
  }
  function render() {
    const focus = document.activeElement && document.activeElement.id;
    $('#pill-wrap').innerHTML = pill();
    $('#main').innerHTML = page();
    $('#dialog-root').innerHTML = dialog();
    if (focus === 'where') { const w = $('#where'); w.focus(); w.setSelectionRange(w.value.length, w.value.length); }
    document.title = `Staynb${ui().route === '/' ? '' : ' · ' + ($('h1') ? $('h1').textContent : '')}`;
  }
  function go(route, push = true) {
    ui().route = route;
    ui().open = null;
    if (push && location.pathname !== route) history.pushState({}, '', route);
    render();
    window.scrollTo(0, 0);
  }
  let toastTimer = null;
  function toast(text) {
    const t = $('#toast');
    t.textContent = text; t.className = 'show';
    clearTimeout(toastTimer); toastTimer = setTimeout(() => { t.className = ''; }, 6000);
  }

  // ---- actions ----
  function runSearch() {
    const d = draft();
    d.destination = $('#where') ? $('#where').value : d.destination;
    const a = d.checkIn, b = d.checkOut;
    if ((a && !isDay(a)) || (b && !isDay(b))) { toast('Enter dates as year-month-day.'); return; }
    if (a && !b) { toast('Add a check-out date.'); return; }
    if (b && !a) { toast('Add a check-in date.'); return; }
    if (a && (a < today() || b > LAST_DAY)) { toast(`Choose dates from ${short(today())}, ${today().slice(0, 4)} to ${short(LAST_DAY)}, 2025.`); return; }
    if (a && b < a) { toast("Check-out can't be before check-in."); return; }
    const s = S().search;
    s.appliedDestination = canonicalPlace(d.destination);
    d.destination = s.appliedDestination;
    s.appliedDates = { startDate: dateValue(a), endDate: dateValue(b) };
    s.appliedGuestCounts = Object.assign({ Adults: 0, Children: 0, Infants: 0, Pets: 0 }, d.guests);
    const recent = Object.values(s.recentSearches || {});
    recent.unshift({ destination: s.appliedDestination, dates: Object.assign({}, s.appliedDates), guests: guestsLabel(totalGuests(d.guests)) });
    s.recentSearches = {}; recent.slice(0, 5).forEach((x, i) => { s.recentSearches[String(i)] = x; });
    go('/s'); H.save();
  }
  function heart(id) {
    const keys = savedKeys(id);
    if (keys.length) {
      for (const k of keys) { const w = S().wishlist.wishlists[k]; w.stays = w.stays.filter((x) => x.id !== id); }
      const l = S().listings.find((x) => x.id === id);
      render(); H.save(); toast(`Removed ${l.title} from your wishlists`);
      return;
    }
    ui().dialog = { kind: 'wishlist', id, name: '' }; render();
  }
  function summary(l) {
    const out = {}; for (const k of ['id', 'title', 'type', 'location', 'destination', 'pricePerNight', 'rating', 'rooms', 'amenities']) out[k] = JSON.parse(JSON.stringify(l[k]));
    return out;
  }
  function saveTo(key) {
    const d = ui().dialog; const l = S().listings.find((x) => x.id === d.id);
    const w = S().wishlist.wishlists[key];
    if (!w.stays.some((x) => x.id === l.id)) w.stays.push(summary(l));
    ui().dialog = null; render(); H.save(); toast(`Saved to ${w.name}`);
  }
  function createWishlist() {
    const name = ($('#wishlist-name').value || '').trim();
    if (!name) { toast('Give your wishlist a name.'); return; }
    const all = S().wishlist.wishlists; const key = nextKey(all);
    const l = S().listings.find((x) => x.id === ui().dialog.id);
    all[key] = { id: `wl-${key}`, name, stays: [summary(l)], createdAt: H.iso(H.now()) };
    ui().dialog = null; render(); H.save(); toast(`Saved to ${name}`);
  }
  function reserve(id) {
    const l = S().listings.find((x) => x.id === id); const t = ui().trip;
    if (!isDay(t.checkIn) || !isDay(t.checkOut)) { toast('Add your check-in and checkout dates.'); return; }
    if (t.checkIn < today() || t.checkOut > LAST_DAY) { toast('Those dates are not available.'); return; }
    if (nightsOf(t.checkIn, t.checkOut) < 1) { toast('Checkout must be at least one night after check-in.'); return; }
    const g = +t.guests;
    const b = S().booking;
    b.currentBooking = { listing: summary(l), checkIn: dateValue(t.checkIn), checkOut: dateValue(t.checkOut),
      guests: { Adults: g, Children: 0, Infants: 0, Pets: 0 }, guestLabel: guestsLabel(g), price: prices(l, t.checkIn, t.checkOut), status: 'pending' };
    b.isBooking = true;
    ui().pay = {};
    go(`/book/${id}`); H.save();
  }
  function pay() {
    const b = S().booking; const p = ui().pay || {};
    const digits = (v) => String(v || '').replace(/[\s-]/g, '');
    const e = { cardNumber: '', expiration: '', cvv: '', zipcode: '' };
    if (!/^\d{16}$/.test(digits(p.cardNumber))) e.cardNumber = 'Check your card number.';
    const m = /^(\d{2})\s*\/\s*(\d{2})$/.exec(String(p.expiration || '').trim());
    if (!m || +m[1] < 1 || +m[1] > 12) e.expiration = 'Enter the expiration date as MM/YY.';
    else if (2000 + +m[2] < +today().slice(0, 4) || (2000 + +m[2] === +today().slice(0, 4) && +m[1] < +today().slice(5, 7))) e.expiration = 'This card has expired.';
    if (!/^\d{3,4}$/.test(String(p.cvv || '').trim())) e.cvv = 'Check your CVV.';
    if (!/^\d{5}$/.test(String(p.zipcode || '').trim())) e.zipcode = 'Check your ZIP code.';
    b.errors = e;
    if (Object.values(e).some((x) => x)) { render(); H.save(); return; }
    const key = nextKey(b.bookingDetails);
    const code = `HM${70000 + (+key) * 1373}`;
    b.bookingDetails[key] = Object.assign({}, JSON.parse(JSON.stringify(b.currentBooking)), { confirmationCode: code, status: 'upcoming', createdAt: H.iso(H.now()) });
    b.currentBooking.status = 'confirmed';
    b.isBooking = false;
    ui().pay = {};
    go('/trips'); H.save();
    toast(`Reservation confirmed: ${b.bookingDetails[key].listing.title}, code ${code}.`);
  }

  function onClick(e) {
    const nav = e.target.closest('[data-nav]');
    if (nav) { e.preventDefault(); go(nav.getAttribute('data-nav')); H.save(); return; }
    const el = e.target.closest('[data-action]');
    if (!el) {
      if (ui().open && !e.target.closest('.pill')) { ui().open = null; render(); }
      if (e.target.classList && e.target.classList.contains('backdrop')) { ui().dialog = null; render(); }
      return;
    }
    const a = el.dataset.action;
    const d = draft();
    if (a === 'who') { ui().open = ui().open === 'who' ? null : 'who'; render(); }
    else if (a === 'close') { ui().open = null; render(); }
    else if (a === 'place') { d.destination = el.dataset.value; ui().open = null; render(); }
    else if (a === 'guest') {
      const k = el.dataset.kind; const delta = +el.dataset.delta;
      d.guests[k] = Math.max(0, Math.min(k === 'Adults' ? 16 : k === 'Pets' ? 5 : 15, (d.guests[k] || 0) + delta));
      if (delta > 0 && k !== 'Adults' && !d.guests.Adults) d.guests.Adults = 1; // children, infants and pets come with an adult
      render();
    } else if (a === 'filters') {
      const f = S().search.appliedFilters;
      ui().dialog = { kind: 'filters', filters: f ? JSON.parse(JSON.stringify(f)) : { priceMin: 0, priceMax: 1000, bedrooms: 0, beds: 0, bathrooms: 0, types: [], amenities: [] } };
      render();
    } else if (a === 'fcount') {
      const f = ui().dialog.filters; f[el.dataset.kind] = Math.max(0, Math.min(8, f[el.dataset.kind] + (+el.dataset.delta))); render();
    } else if (a === 'ftype' || a === 'famenity') {
      const f = ui().dialog.filters; const list = a === 'ftype' ? f.types : f.amenities; const v = el.dataset.value;
      const i = list.indexOf(v); if (el.checked && i < 0) list.push(v); if (!el.checked && i >= 0) list.splice(i, 1);
      render();
    } else if (a === 'clear-filters') {
      ui().dialog.filters = { priceMin: 0, priceMax: 1000, bedrooms: 0, beds: 0, bathrooms: 0, types: [], amenities: [] }; render();
    } else if (a === 'apply-filters') {
      const f = ui().dialog.filters;
      if (!(f.priceMin >= 0) || !(f.priceMax >= 0) || f.priceMin > f.priceMax) { toast('The minimum price must not be above the maximum.'); return; }
      S().search.appliedFilters = f; ui().dialog = null; render(); H.save();
    } else if (a === 'close-dialog') { ui().dialog = null; render(); }
    else if (a === 'heart') heart(el.dataset.id);
    else if (a === 'save-to') saveTo(el.dataset.key);
    else if (a === 'create-wishlist') createWishlist();
    else if (a === 'share') { ui().dialog = { kind: 'share', id: el.dataset.id, channel: null }; render(); }
    else if (a === 'channel') {
      const c = el.dataset.value;
      if (c === 'Messages') { ui().dialog.channel = c; render(); return; }
      shareTo(c, c === 'Copy link' ? 'clipboard' : '');
    } else if (a === 'share-to') shareTo('Messages', el.dataset.value);
    else if (a === 'reserve') reserve(el.dataset.id);
    else if (a === 'pay') pay();
    else if (a === 'cancel-booking') { S().booking.isBooking = false; S().booking.currentBooking = null; go('/'); H.save(); }
  }
  function shareTo(channel, to) {
    const d = ui().dialog; const l = S().listings.find((x) => x.id === d.id);
    const all = S().share.shares;
    all[nextKey(all)] = { listingId: l.id, title: l.title, channel, to, sharedAt: H.iso(H.now()) };
    ui().dialog = null; render(); H.save();
    toast(channel === 'Copy link' ? 'Link copied' : `Shared ${l.title}${to ? ` with ${to}` : ''} via ${channel}`);
  }
  function onInput(e) {
    const el = e.target;
    if (el.id === 'where') { draft().destination = el.value; ui().open = 'where'; render(); return; }
    if (el.dataset.draft) { draft()[el.dataset.draft] = el.value; return; }
    if (el.dataset.trip) { ui().trip[el.dataset.trip] = el.value; return; }
    if (el.dataset.pay) { (ui().pay = ui().pay || {})[el.dataset.pay] = el.value; return; }
    if (el.dataset.fprice) { ui().dialog.filters[el.dataset.fprice] = el.value === '' ? NaN : +el.value; return; }
    if (el.id === 'wishlist-name') ui().dialog.name = el.value;
  }
  function onChange(e) {
    const el = e.target;
    if (el.dataset.draft) { draft()[el.dataset.draft] = el.value; return; }
    if (el.dataset.trip) { ui().trip[el.dataset.trip] = el.value; render(); return; }
    if (el.dataset.fprice) { onInput(e); render(); }
  }
  function onFocus(e) {
    if (e.target.id === 'where' && ui().open !== 'where') { ui().open = 'where'; render(); }
  }

  async function start() {
    await H.load();
    ui().route = location.pathname;
    ui().open = null; ui().dialog = null;
    document.addEventListener('click', onClick);
    document.addEventListener('input', onInput);
    document.addEventListener('change', onChange);
    document.addEventListener('focusin', onFocus);
    document.addEventListener('submit', (e) => { if (e.target.id === 'search-form') { e.preventDefault(); runSearch(); } });
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') { ui().open = null; ui().dialog = null; render(); } });
    window.addEventListener('popstate', () => { ui().route = location.pathname; render(); });
    render();
  }
  start();
})();
