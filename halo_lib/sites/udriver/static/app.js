// Udriver: an Uber look-alike. The store lives in HaloSite.state.{config, ride, user}; on the first load of a run
// the app fills it from HaloSite.state.seed (as REAL's hosted app fills its empty store), then every change is
// saved. Pages: home (pickup / drop-off / when), rides (ride types, prices, payment), booked, activity, wallet.
(function () {
  'use strict';
  const H = window.HaloSite;
  const $ = (sel, root = document) => root.querySelector(sel);
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const WD = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const PAGES = ['home', 'rides', 'booked', 'activity', 'wallet', 'drive', 'business', 'eats', 'about', 'help'];
  const INFO = {
    drive: ['Drive with Udriver', 'Earn on your own schedule. Driver sign-up is not available on this site.'],
    business: ['Udriver for Business', 'Rides and meals for your team. Business accounts are not available on this site.'],
    eats: ['Udriver Eats', 'Food delivery is not available on this site.'],
    about: ['About Udriver', 'Udriver connects riders with drivers across San Francisco.'],
    help: ['Help', 'To book a ride: choose a pickup and a drop-off from the suggestions, then See prices, pick a ride and request it. ' +
      'Add Udriver Credits and choose your default payment method in Wallet; past and scheduled rides are in Activity.'],
  };

  const store = () => H.state;
  const ride = () => H.state.ride;
  const wallet = () => H.state.user.wallet;
  const cars = () => H.state.config.udriver.cars;
  const ui = { page: 'home', open: null, active: -1, pickupText: '', dropoffText: '', when: 'now', date: null,
    time: null, formError: '', rideError: '', walletNotice: '', walletError: '', amount: null };

  // ---------------------------------------------------------------- money, dates, places
  const round2 = (x) => Math.round((x + Number.EPSILON) * 100) / 100;
  const money = (x) => (x < 0 ? '-' : '') + '$' + Math.abs(x).toFixed(2);
  const mdy = (d) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  const parseMdy = (s) => { const [m, d, y] = String(s).split('/').map(Number); return new Date(Date.UTC(y, m - 1, d)); };
  const dayLabel = (s) => { const d = parseMdy(s); return `${WD[d.getUTCDay()]}, ${MON[d.getUTCMonth()]} ${d.getUTCDate()}`; };
  function clockMinutes() { const p = H.parts(H.now()); return p.hour * 60 + p.minute; }
  function timeLabel(mins) {
    mins = ((mins % 1440) + 1440) % 1440;
    const h = Math.floor(mins / 60), m = mins % 60;
    return `${h % 12 === 0 ? 12 : h % 12}:${String(m).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
  }
  function parseTime(label) {
    const m = /^(\d{1,2}):(\d{2}) (AM|PM)$/.exec(label || '');
    if (!m) return null;
    return ((+m[1] % 12) + (m[3] === 'PM' ? 12 : 0)) * 60 + +m[2];
  }
  const today = () => store().config.udriver.today;
  function dateOptions() {
    const t = parseMdy(today());
    const out = [];
    for (let i = 0; i < 7; i++) out.push(mdy(new Date(t.getTime() + i * 86400000)));
    return out;
  }
  const timeOptions = () => { const out = []; for (let m = 0; m < 1440; m += 15) out.push(timeLabel(m)); return out; };
  const placeLabel = (l) => `${l.name} - ${l.formattedAddress}`;
  const locations = () => ride().locations || [];

  function suggestions(text) {
    const words = String(text || '').toLowerCase().split(/[^a-z0-9&#-]+/).filter(Boolean);
    const all = locations();
    if (!words.length) return all.slice(0, 6);
    return all.filter((l) => { const hay = placeLabel(l).toLowerCase(); return words.every((w) => hay.includes(w)); }).slice(0, 8);
  }

  function priceOf(type, pickup, dropoff) {
    const c = cars()[type];
    const base = (Number(pickup.basePrice) || 0) + (Number(dropoff.basePrice) || 0);
    const before = base * c.multiplier;
    return { carType: type, priceWithoutDiscount: round2(before), discount: c.discount, finalPrice: round2(before * (1 - c.discount)) };
  }
  const methods = () => wallet().paymentMethods || [];
  const methodRef = (m) => ({ id: m.id, type: m.type, displayName: m.displayName });
  const defaultMethod = () => methods().find((m) => m.isDefault) || methods()[0];

  // ---------------------------------------------------------------- persistence
  function hydrate() {
    const s = store();
    let changed = false;
    for (const k of ['config', 'ride', 'user']) {
      if (!s[k] || !Object.keys(s[k]).length) { s[k] = JSON.parse(JSON.stringify(s.seed[k])); changed = true; }
    }
    return changed;
  }
  function save() { return H.save(); }

  // ---------------------------------------------------------------- navigation
  function pageFromPath() {
    const p = location.pathname.replace(/^\/+|\/+$/g, '') || 'home';
    return PAGES.includes(p) ? p : 'home';
  }
  function go(page, push = true) {
    if ((page === 'rides' && !(ride().pickupLocation && ride().dropoffLocation && ride().calculatedPrice)) ||
        (page === 'booked' && !ride().trip)) page = 'home';
    ui.page = page;
    ui.open = null;
    if (push) history.pushState({ page }, '', page === 'home' ? '/' : `/${page}`);
    if (ride().view !== page) { ride().view = page; save(); }
    render();
    window.scrollTo(0, 0);
  }
  window.addEventListener('popstate', () => go(pageFromPath(), false));
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-nav]');
    if (a) { e.preventDefault(); go(a.dataset.nav); return; }
    if (ui.open && !e.target.closest('.field')) closeList();
  });
  // Focus moving elsewhere (Tab, another field) closes an open suggestion list, so it never covers the form.
  document.addEventListener('focusin', (e) => {
    if (ui.open && !e.target.closest(`#${ui.open}-field`)) closeList();
  });

  // ---------------------------------------------------------------- rendering
  function render() {
    const pill = $('#account-pill');
    pill.textContent = `${store().user.name.split(' ')[0]} · ${money(wallet().balance)}`;
    const app = $('#app');
    document.title = ui.page === 'home' ? 'Udriver' : `Udriver - ${ui.page[0].toUpperCase()}${ui.page.slice(1)}`;
    if (ui.page === 'home') app.innerHTML = homeHtml();
    else if (ui.page === 'rides') app.innerHTML = ridesHtml();
    else if (ui.page === 'booked') app.innerHTML = bookedHtml();
    else if (ui.page === 'activity') app.innerHTML = activityHtml();
    else if (ui.page === 'wallet') app.innerHTML = walletHtml();
    else app.innerHTML = infoHtml(ui.page);
    bind();
  }

  const ART = `<svg viewBox="0 0 560 420" role="img" aria-label="A rider stepping out of a car in the city">
    <rect width="560" height="420" fill="#bfe3f2"/><circle cx="440" cy="80" r="40" fill="#fff6c8"/>
    <g fill="#8fc2e0"><rect x="30" y="90" width="80" height="250"/><rect x="120" y="40" width="70" height="300"/>
    <rect x="200" y="120" width="60" height="220"/><rect x="380" y="110" width="90" height="230"/><rect x="480" y="170" width="60" height="170"/></g>
    <g fill="#d8eefa">${Array.from({ length: 24 }, (_, i) => `<rect x="${40 + (i % 4) * 18}" y="${110 + Math.floor(i / 4) * 36}" width="10" height="18"/>`).join('')}
    ${Array.from({ length: 18 }, (_, i) => `<rect x="${130 + (i % 3) * 20}" y="${60 + Math.floor(i / 3) * 44}" width="10" height="22"/>`).join('')}</g>
    <rect y="330" width="560" height="90" fill="#9fcf9a"/><rect y="350" width="560" height="40" fill="#6d8a99"/>
    <g transform="translate(150 270)"><rect x="0" y="40" width="250" height="55" rx="22" fill="#4f86c6"/>
    <path d="M40 42 L80 0 H180 L225 42 Z" fill="#6fa3dc"/><path d="M90 8 H130 V40 H60 Z M140 8 H175 L210 40 H140 Z" fill="#dff1ff"/>
    <circle cx="60" cy="95" r="24" fill="#233"/><circle cx="60" cy="95" r="10" fill="#aab"/>
    <circle cx="195" cy="95" r="24" fill="#233"/><circle cx="195" cy="95" r="10" fill="#aab"/></g>
    <g transform="translate(380 200)"><circle cx="20" cy="0" r="16" fill="#3a2a20"/><rect x="6" y="16" width="28" height="60" rx="10" fill="#fff"/>
    <rect x="8" y="74" width="10" height="70" fill="#2d4f8a"/><rect x="22" y="74" width="10" height="70" fill="#2d4f8a"/></g></svg>`;

  function homeHtml() {
    const r = ride();
    const dates = dateOptions();
    const date = ui.date || dates[1];
    const time = ui.time || timeLabel(Math.ceil((clockMinutes() + 30) / 15) * 15);
    return `<section class="hero">
      <div class="hero-left">
        <h1>Go anywhere with Udriver</h1>
        <p class="tagline">Request a ride, hop in, and go.</p>
        <form class="ride-form" id="ride-form" novalidate>
          ${fieldHtml('pickup', 'Pickup location', ui.pickupText || (r.pickupLocation ? placeLabel(r.pickupLocation) : ''), 'round')}
          ${fieldHtml('dropoff', 'Dropoff location', ui.dropoffText || (r.dropoffLocation ? placeLabel(r.dropoffLocation) : ''), '')}
          <div class="field"><span class="mark round" aria-hidden="true"></span>
            <select id="when" aria-label="When">
              <option value="now" ${ui.when === 'now' ? 'selected' : ''}>Pickup now</option>
              <option value="later" ${ui.when === 'later' ? 'selected' : ''}>Schedule for later</option>
            </select></div>
          <div class="row" id="schedule" ${ui.when === 'later' ? '' : 'hidden'}>
            <div class="field"><select id="pickup-date" aria-label="Pickup date">
              ${dates.map((d, i) => `<option value="${d}" ${d === date ? 'selected' : ''}>${dayLabel(d)}${i === 0 ? ' (today)' : ''}</option>`).join('')}
            </select></div>
            <div class="field"><select id="pickup-time" aria-label="Pickup time">
              ${timeOptions().map((t) => `<option value="${t}" ${t === time ? 'selected' : ''}>${t}</option>`).join('')}
            </select></div>
          </div>
          <button class="primary" type="submit" id="see-prices">See prices</button>
          <p class="error" role="alert" id="form-error">${esc(ui.formError)}</p>
        </form>
      </div>
      <div class="hero-art">${ART}</div>
    </section>`;
  }

  function fieldHtml(which, label, value, markClass) {
    return `<div class="field" id="${which}-field"><span class="mark ${markClass}" aria-hidden="true"></span>
      <input id="${which}" type="text" aria-label="${label}" placeholder="${label}" autocomplete="off"
        aria-autocomplete="list" aria-controls="${which}-list" value="${esc(value)}">
      <ul class="suggestions" id="${which}-list" role="listbox" aria-label="${which === 'pickup' ? 'Pickup' : 'Dropoff'} suggestions" hidden></ul>
    </div>`;
  }

  function renderList(which) {
    const list = $(`#${which}-list`), input = $(`#${which}`);
    if (!list) return;
    if (ui.open !== which) { list.hidden = true; list.innerHTML = ''; return; }
    const items = suggestions(input.value);
    list.innerHTML = items.length
      ? items.map((l, i) => `<li role="option" id="${which}-opt-${l.id}" data-id="${l.id}" aria-selected="${i === ui.active}"
          class="${i === ui.active ? 'active' : ''}"><b>${esc(l.name)}</b> - ${esc(l.formattedAddress)}</li>`).join('')
      : '<li class="none" role="presentation">No places found</li>';
    list.hidden = false;
  }
  function closeList() { const w = ui.open; ui.open = null; ui.active = -1; if (w) renderList(w); }

  function choose(which, id) {
    const loc = locations().find((l) => String(l.id) === String(id));
    if (!loc) return;
    const key = which === 'pickup' ? 'pickupLocation' : 'dropoffLocation';
    ride()[key] = JSON.parse(JSON.stringify(loc));
    ride().calculatedPrice = null; // prices belong to a route: See prices again
    ui[`${which}Text`] = '';
    $(`#${which}`).value = placeLabel(loc);
    ui.formError = '';
    $('#form-error').textContent = '';
    closeList();
    save();
    if (which === 'pickup' && !ride().dropoffLocation) $('#dropoff').focus();
  }

  function bindField(which) {
    const input = $(`#${which}`);
    const key = which === 'pickup' ? 'pickupLocation' : 'dropoffLocation';
    input.addEventListener('focus', () => { if (ui.open !== which) { closeList(); ui.open = which; ui.active = -1; renderList(which); } });
    input.addEventListener('input', () => {
      ui[`${which}Text`] = input.value;
      if (ride()[key]) { ride()[key] = null; ride().calculatedPrice = null; save(); }
      ui.open = which; ui.active = -1;
      renderList(which);
    });
    input.addEventListener('keydown', (e) => {
      const items = suggestions(input.value);
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        ui.open = which;
        ui.active = Math.max(0, Math.min(items.length - 1, ui.active + (e.key === 'ArrowDown' ? 1 : -1)));
        renderList(which);
      } else if (e.key === 'Enter') {
        if (ui.open === which && items.length) { e.preventDefault(); choose(which, items[Math.max(0, ui.active)].id); }
      } else if (e.key === 'Escape') closeList();
    });
    const list = $(`#${which}-list`);
    list.addEventListener('mousedown', (e) => e.preventDefault()); // keep the input focused while choosing
    list.addEventListener('click', (e) => { const li = e.target.closest('li[data-id]'); if (li) choose(which, li.dataset.id); });
  }

  // The form's pickup time, kept in the store as it changes (a scheduled time shows in the state before See prices);
  // prices belong to a route and a time, so a change drops the ones shown.
  function saveWhen() {
    const r = ride();
    if (ui.when === 'later') Object.assign(r, { pickupType: 'scheduled', pickupDate: $('#pickup-date').value, pickupTime: $('#pickup-time').value });
    else Object.assign(r, { pickupType: 'now', pickupDate: today(), pickupTime: timeLabel(clockMinutes()) });
    r.calculatedPrice = null;
    save();
  }

  function seePrices(e) {
    e.preventDefault();
    const r = ride();
    const fail = (msg) => { ui.formError = msg; $('#form-error').textContent = msg; };
    if (!r.pickupLocation) return fail('Choose a pickup location from the suggestions.');
    if (!r.dropoffLocation) return fail('Choose a dropoff location from the suggestions.');
    if (r.pickupLocation.id === r.dropoffLocation.id) return fail('Pickup and dropoff must be different places.');
    const now = clockMinutes();
    if (ui.when === 'later') {
      const date = $('#pickup-date').value, time = $('#pickup-time').value;
      if (date === today() && parseTime(time) <= now) return fail('Choose a pickup time later than now.');
      ui.date = date; ui.time = time;
      Object.assign(r, { pickupType: 'scheduled', pickupDate: date, pickupTime: time });
    } else {
      Object.assign(r, { pickupType: 'now', pickupDate: today(), pickupTime: timeLabel(now) });
    }
    ui.formError = ''; ui.rideError = '';
    const type = r.selectedCarType && cars()[r.selectedCarType] ? r.selectedCarType : Object.keys(cars())[0];
    r.selectedCarType = type;
    r.calculatedPrice = priceOf(type, r.pickupLocation, r.dropoffLocation);
    if (!r.selectedPaymentMethod) r.selectedPaymentMethod = methodRef(defaultMethod());
    go('rides');
  }

  // ---------------------------------------------------------------- rides
  function etaText(c) {
    const r = ride();
    if (r.pickupType === 'scheduled') return `Pickup ${dayLabel(r.pickupDate)} at ${r.pickupTime}`;
    return `${c.etaMinutes} min away · ${timeLabel(clockMinutes() + c.etaMinutes)}`;
  }
  const CAR_ICON = `<svg viewBox="0 0 64 32" width="56" height="28" aria-hidden="true"><rect x="2" y="12" width="60" height="14" rx="6" fill="#222"/>
    <path d="M12 12 L20 3 H44 L54 12 Z" fill="#444"/><circle cx="16" cy="27" r="5" fill="#000"/><circle cx="48" cy="27" r="5" fill="#000"/></svg>`;

  function mapSvg(a, b) {
    const pos = (l) => [60 + ((l.id * 37) % 420), 50 + ((l.id * 53) % 260)];
    const [x1, y1] = pos(a), [x2, y2] = pos(b);
    let roads = '';
    for (let i = 0; i < 12; i++) roads += `<line x1="${i * 50}" y1="0" x2="${i * 50 + 30}" y2="360" stroke="#fff" stroke-width="${i % 3 ? 4 : 9}"/>`;
    for (let i = 0; i < 8; i++) roads += `<line x1="0" y1="${i * 50}" x2="560" y2="${i * 50 - 20}" stroke="#fff" stroke-width="${i % 3 ? 4 : 9}"/>`;
    return `<svg viewBox="0 0 560 360" role="img" aria-label="Map of the route from ${esc(a.name)} to ${esc(b.name)}">
      <rect width="560" height="360" fill="#eceae4"/><rect x="380" y="0" width="180" height="70" fill="#aadaff"/>
      <rect x="40" y="230" width="120" height="80" fill="#c8e6c0"/>${roads}
      <path d="M${x1} ${y1} L${x2} ${y1} L${x2} ${y2}" fill="none" stroke="#000" stroke-width="5"/>
      <circle cx="${x1}" cy="${y1}" r="9" fill="#000"/><circle cx="${x1}" cy="${y1}" r="3" fill="#fff"/>
      <rect x="${x2 - 9}" y="${y2 - 9}" width="18" height="18" fill="#000"/><rect x="${x2 - 3}" y="${y2 - 3}" width="6" height="6" fill="#fff"/></svg>`;
  }

  function ridesHtml() {
    const r = ride();
    const carsHtml = Object.values(cars()).map((c) => {
      const p = priceOf(c.type, r.pickupLocation, r.dropoffLocation);
      const was = p.discount ? `, was ${money(p.priceWithoutDiscount)}` : '';
      const label = `${c.type}, ${c.seats} seats, ${etaText(c)}, ${money(p.finalPrice)}${was}`;
      return `<button type="button" class="car" data-car="${c.type}" aria-pressed="${r.selectedCarType === c.type}" aria-label="${esc(label)}">
        <span class="icon">${CAR_ICON}</span>
        <span class="info"><span class="name">${c.type}</span> <span class="muted">· ${c.seats} seats</span><br>
          <span class="muted">${esc(etaText(c))}</span><br><span class="muted">${esc(c.description)}</span></span>
        <span class="price">${money(p.finalPrice)}${p.discount ? `<s>${money(p.priceWithoutDiscount)}</s>` : ''}</span></button>`;
    }).join('');
    const sel = r.selectedPaymentMethod || methodRef(defaultMethod());
    const verb = r.pickupType === 'scheduled' ? 'Schedule' : 'Request';
    return `<section class="page"><div class="split"><div class="panel">
      <div class="panel-head"><h1>Choose a ride</h1><button type="button" class="secondary" id="edit-trip">Edit trip</button></div>
      <div class="route" aria-label="Trip details">
        <p><b>From:</b> ${esc(placeLabel(r.pickupLocation))}</p>
        <p><b>To:</b> ${esc(placeLabel(r.dropoffLocation))}</p>
        <p class="muted">${r.pickupType === 'scheduled' ? `Scheduled: ${esc(dayLabel(r.pickupDate))}, ${esc(r.pickupTime)}` : 'Pickup now'}</p>
      </div>
      <div class="cars" role="group" aria-label="Ride types">${carsHtml}</div>
      <div class="pay"><label for="payment">Payment</label>
        <select id="payment" aria-label="Payment method">
          ${methods().map((m) => `<option value="${esc(m.id)}" ${m.id === sel.id ? 'selected' : ''}>${esc(m.displayName)}</option>`).join('')}
        </select>
        <span class="muted" id="credit-balance">Udriver Credits balance: ${money(wallet().balance)}</span></div>
      <button type="button" class="primary dark wide" id="request">${verb} ${esc(r.selectedCarType)}</button>
      <p class="error" role="alert" id="ride-error">${esc(ui.rideError)}</p>
    </div><div class="map">${mapSvg(r.pickupLocation, r.dropoffLocation)}</div></div></section>`;
  }

  function selectCar(type) {
    const r = ride();
    r.selectedCarType = type;
    r.calculatedPrice = priceOf(type, r.pickupLocation, r.dropoffLocation);
    ui.rideError = '';
    save();
    render();
  }

  let tripCounter = 0;
  function requestRide() {
    const r = ride(), w = wallet();
    const method = methods().find((m) => m.id === $('#payment').value) || defaultMethod();
    const price = priceOf(r.selectedCarType, r.pickupLocation, r.dropoffLocation);
    if (method.type === 'wallet' && w.balance + 1e-9 < price.finalPrice) {
      ui.rideError = `Not enough Udriver Credits: this ride costs ${money(price.finalPrice)} and your balance is ` +
        `${money(w.balance)}. Add credits in Wallet or choose another payment method.`;
      $('#ride-error').textContent = ui.rideError;
      return;
    }
    const c = cars()[r.selectedCarType];
    const drivers = [['Carlos M.', 'Toyota Prius', 'Silver', '8KJD214', 4.92], ['Aisha K.', 'Honda Accord', 'Black', '7TRW553', 4.97],
      ['Dmitri P.', 'Tesla Model 3', 'White', '9ELC771', 4.89], ['Grace L.', 'Chevrolet Suburban', 'Black', '6XLV208', 4.95],
      ['Mateo R.', 'Hyundai Ioniq', 'Blue', '8GRN440', 4.90]];
    const d = drivers[(r.pickupLocation.id + r.dropoffLocation.id) % drivers.length];
    const n = (r.trips || []).length + (r.bookedTrips || []).length + (++tripCounter);
    const trip = {
      id: `trip-${200 + n}`, pickup: r.pickupLocation, destination: r.dropoffLocation,
      car: { type: c.type, multiplier: c.multiplier, discount: c.discount, seats: c.seats,
        priceWithoutDiscount: price.priceWithoutDiscount, finalPrice: price.finalPrice },
      date: r.pickupDate, time: r.pickupTime, status: r.pickupType === 'scheduled' ? 'scheduled' : 'completed',
      paymentMethod: methodRef(method),
      driver: { name: d[0], car: d[1], color: d[2], plate: d[3], rating: d[4] }, bookedAt: today(),
    };
    if (method.type === 'wallet') {
      w.balance = round2(w.balance - price.finalPrice);
      w.transactions.unshift({ id: `txn-${200 + n}`, type: 'debit', amount: -price.finalPrice,
        description: `Trip to ${r.dropoffLocation.name}`, date: today(), paymentMethodId: method.id });
    }
    r.selectedPaymentMethod = methodRef(method);
    r.calculatedPrice = price;
    r.trip = trip;
    if (trip.status === 'scheduled') { r.bookedTrip = trip; r.bookedTrips = (r.bookedTrips || []).concat([trip]); }
    else r.trips = [trip].concat(r.trips || []);
    ui.rideError = '';
    go('booked');
  }

  function bookedHtml() {
    const t = ride().trip;
    const scheduled = t.status === 'scheduled';
    const d = t.driver;
    return `<section class="page"><div class="done" role="status">
      <p class="big">${scheduled ? 'Ride scheduled' : 'Ride complete'}</p>
      <p>${scheduled
        ? `Your ${esc(t.car.type)} will pick you up at ${esc(t.pickup.name)} on ${esc(dayLabel(t.date))} at ${esc(t.time)}.`
        : `${esc(d.name)} picked you up at ${esc(t.pickup.name)} in a ${esc(d.color)} ${esc(d.car)} (${esc(d.plate)}) and dropped you at ${esc(t.destination.name)}.`}</p>
      <p>${esc(t.car.type)} · ${money(t.car.finalPrice)} · paid with ${esc(t.paymentMethod.displayName)}</p>
      <div class="route"><p><b>From:</b> ${esc(placeLabel(t.pickup))}</p><p><b>To:</b> ${esc(placeLabel(t.destination))}</p></div>
      <div class="actions"><button type="button" class="primary dark" id="book-another">Book another ride</button>
        <button type="button" class="secondary" data-go="activity">See activity</button></div>
    </div></section>`;
  }

  // ---------------------------------------------------------------- activity
  function tripRow(t) {
    return `<li><span class="icon">${CAR_ICON}</span><span class="grow"><b>${esc(t.pickup.name)} → ${esc(t.destination.name)}</b><br>
      <span class="muted">${esc(dayLabel(t.date))}, ${esc(t.time)} · ${esc(t.car.type)} · ${esc(t.paymentMethod.displayName)}</span></span>
      <span>${money(t.car.finalPrice)}<br><span class="status-${esc(t.status)}">${esc(t.status[0].toUpperCase() + t.status.slice(1))}</span></span></li>`;
  }
  function activityHtml() {
    const r = ride();
    const upcoming = (r.bookedTrips || []).filter((t) => t.status === 'scheduled');
    return `<section class="page"><h1>Activity</h1>
      <h2>Upcoming</h2>${upcoming.length ? `<ul class="list" aria-label="Upcoming rides">${upcoming.map(tripRow).join('')}</ul>` : '<p class="muted">You have no upcoming rides.</p>'}
      <h2>Past</h2><ul class="list" aria-label="Past rides">${(r.trips || []).map(tripRow).join('')}</ul></section>`;
  }

  // ---------------------------------------------------------------- wallet
  function walletHtml() {
    const w = wallet();
    const cards = methods().filter((m) => m.type === 'credit');
    return `<section class="page"><h1>Wallet</h1>
      <p class="notice" role="status" id="wallet-notice">${esc(ui.walletNotice)}</p>
      <div class="card" aria-label="Udriver Credits"><div class="muted">Udriver Credits</div>
        <div class="balance" id="balance">${money(w.balance)}</div>
        <h2>Add credits</h2>
        <div class="amounts" role="group" aria-label="Amount to add">
          ${[10, 25, 50, 100].map((a) => `<button type="button" data-amount="${a}" aria-pressed="${ui.amount === a}">$${a}</button>`).join('')}
        </div>
        <div class="form-line"><label for="other-amount">Other amount</label>
          <input id="other-amount" type="text" inputmode="decimal" aria-label="Other amount" placeholder="$0.00" value="${ui.amount && ![10, 25, 50, 100].includes(ui.amount) ? ui.amount : ''}"></div>
        <div class="form-line"><label for="topup-method">Pay with</label>
          <select id="topup-method" aria-label="Pay with">${cards.map((m) => `<option value="${esc(m.id)}">${esc(m.displayName)}</option>`).join('')}</select></div>
        <button type="button" class="primary dark" id="add-credits">Add credits</button>
        <p class="error" role="alert" id="wallet-error" style="color:var(--red)">${esc(ui.walletError)}</p>
      </div>
      <h2>Payment methods</h2>
      <ul class="list" aria-label="Payment methods">${methods().map((m) => `<li><span class="grow"><b>${esc(m.displayName)}</b>
        ${m.type === 'credit' ? `<span class="muted"> · expires ${esc(m.expiry)}</span>` : ''}${m.type === 'wallet' ? `<span class="muted"> · ${money(w.balance)}</span>` : ''}</span>
        ${m.isDefault ? '<span class="badge">Default</span>' : `<button type="button" class="secondary" data-default="${esc(m.id)}" aria-label="Set ${esc(m.displayName)} as default">Set as default</button>`}</li>`).join('')}</ul>
      <h2>Transactions</h2>
      <ul class="list" aria-label="Transactions">${(w.transactions || []).map((t) => `<li><span class="grow">${esc(t.description)}<br><span class="muted">${esc(t.date)}</span></span>
        <span class="${t.amount < 0 ? '' : 'status-completed'}">${t.amount < 0 ? '' : '+'}${money(t.amount)}</span></li>`).join('')}</ul>
    </section>`;
  }

  function addCredits() {
    const other = $('#other-amount').value.trim().replace(/^\$/, '');
    const amount = other ? Number(other) : ui.amount;
    const fail = (msg) => { ui.walletError = msg; ui.walletNotice = ''; render(); };
    if (!amount || !isFinite(amount) || amount <= 0) return fail('Choose an amount to add.');
    if (amount > 500) return fail('You can add at most $500 at a time.');
    if (Math.round(amount * 100) !== amount * 100) return fail('Enter an amount in dollars and cents.');
    const card = methods().find((m) => m.id === $('#topup-method').value);
    if (!card) return fail('Add a card to buy credits.');
    const w = wallet();
    w.balance = round2(w.balance + amount);
    w.transactions.unshift({ id: `txn-${300 + w.transactions.length}`, type: 'credit', amount, description: 'Wallet Top-up',
      date: today(), paymentMethodId: card.id });
    ui.amount = null; ui.walletError = '';
    ui.walletNotice = `Added ${money(amount)} to Udriver Credits with ${card.displayName}.`;
    save();
    render();
  }

  function setDefault(id) {
    const m = methods().find((x) => x.id === id);
    if (!m) return;
    for (const x of methods()) x.isDefault = x.id === id;
    ride().selectedPaymentMethod = methodRef(m);
    ui.walletNotice = `${m.displayName} is now your default payment method.`;
    ui.walletError = '';
    save();
    render();
  }

  function infoHtml(page) {
    const [title, text] = INFO[page];
    return `<section class="page"><h1>${esc(title)}</h1><p>${esc(text)}</p>
      <button type="button" class="primary dark" data-go="home">Book a ride</button></section>`;
  }

  // ---------------------------------------------------------------- events
  function bind() {
    document.querySelectorAll('[data-go]').forEach((b) => b.addEventListener('click', () => go(b.dataset.go)));
    if (ui.page === 'home') {
      bindField('pickup');
      bindField('dropoff');
      $('#when').addEventListener('change', (e) => { ui.when = e.target.value; $('#schedule').hidden = ui.when !== 'later'; saveWhen(); });
      $('#pickup-date').addEventListener('change', (e) => { ui.date = e.target.value; saveWhen(); });
      $('#pickup-time').addEventListener('change', (e) => { ui.time = e.target.value; saveWhen(); });
      $('#ride-form').addEventListener('submit', seePrices);
    } else if (ui.page === 'rides') {
      document.querySelectorAll('.car').forEach((b) => b.addEventListener('click', () => selectCar(b.dataset.car)));
      $('#payment').addEventListener('change', (e) => {
        const m = methods().find((x) => x.id === e.target.value);
        if (m) { ride().selectedPaymentMethod = methodRef(m); ui.rideError = ''; $('#ride-error').textContent = ''; save(); }
      });
      $('#request').addEventListener('click', requestRide);
      $('#edit-trip').addEventListener('click', () => go('home'));
    } else if (ui.page === 'booked') {
      $('#book-another').addEventListener('click', () => {
        const r = ride();
        Object.assign(r, { pickupLocation: null, dropoffLocation: null, calculatedPrice: null, selectedCarType: null });
        ui.pickupText = ''; ui.dropoffText = ''; ui.when = 'now';
        save();
        go('home');
      });
    } else if (ui.page === 'wallet') {
      document.querySelectorAll('[data-amount]').forEach((b) => b.addEventListener('click', () => {
        ui.amount = Number(b.dataset.amount); ui.walletError = ''; render();
      }));
      $('#add-credits').addEventListener('click', addCredits);
      document.querySelectorAll('[data-default]').forEach((b) => b.addEventListener('click', () => setDefault(b.dataset.default)));
    }
  }

  async function main() {
    await H.load();
    if (hydrate()) await save();
    const r = ride();
    if (r.pickupType === 'scheduled') { ui.when = 'later'; ui.date = r.pickupDate; ui.time = r.pickupTime; }
    ui.page = pageFromPath();
    go(ui.page, false);
  }
  main();
})();
