// DashDish: a DoorDash look-alike. All state lives in HaloSite.state (restaurants, cart, checkout, user, ui); every
// page is rendered from it (vanilla JS). Charges repeat seed.py's charges() exactly.
(function () {
  'use strict';
  const H = window.HaloSite;
  const TAX_RATE = 0.0875, SERVICE_RATE = 0.10, MIN_SERVICE_FEE = 1.5, EXPRESS_FEE = 2.99;
  const TIPS = [0, 2, 3, 5];
  const COLORS = ['#eb1700', '#1f6f5c', '#7a3db8', '#c2410c', '#0e7490', '#b91c1c', '#4d7c0f', '#9d174d', '#1d4ed8'];
  const CATEGORIES = ['Pizza', 'Chinese', 'Japanese', 'Mexican', 'Burgers', 'Chicken', 'Wings', 'Sandwiches', 'Noodles',
    'Rice', 'Thai', 'Indian', 'Healthy', 'Breakfast', 'Desserts', 'Seafood'];
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const $ = (sel, root = document) => root.querySelector(sel);
  const S = () => H.state;
  const money = (x) => Math.round((x + 1e-9) * 100) / 100;
  const usd = (x) => `$${money(x).toFixed(2)}`;
  const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const store = (id) => S().restaurants.find((r) => r.id === id);
  const color = (name) => COLORS[[...name].reduce((a, c) => a + c.charCodeAt(0), 0) % COLORS.length];
  const initials = (name) => name.split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();

  function toast(msg) {
    const t = $('#toast'); t.textContent = msg; t.classList.add('show');
    clearTimeout(toast.timer); toast.timer = setTimeout(() => t.classList.remove('show'), 2500);
  }
  async function save() { await H.save(); }

  // ---- charges (seed.py: charges) ----
  function charges(items, st, co) {
    const subtotal = money(items.reduce((a, it) => a + it.price * it.quantity, 0));
    const pickup = co.shippingOption === 'Pickup';
    const fee = pickup ? 0 : st.deliveryFee;
    const express = (!pickup && co.deliveryOption === 'Express') ? EXPRESS_FEE : 0;
    const service = pickup ? 0 : money(Math.max(MIN_SERVICE_FEE, subtotal * SERVICE_RATE));
    const tax = money(subtotal * TAX_RATE);
    const tip = pickup ? 0 : co.tip;
    const total = money(subtotal + fee + express + service + tax + tip);
    return { subtotal, deliveryFee: fee, expressFee: express, serviceFee: service, estimatedTax: tax, dasherTip: tip, totalAmount: total };
  }
  const cartCount = () => S().cart.cartItems.reduce((a, it) => a + it.quantity, 0);

  // ---- routing ----
  function go(path) { history.pushState(null, '', path); render(); window.scrollTo(0, 0); }
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-nav]');
    if (a && !e.metaKey && !e.ctrlKey) { e.preventDefault(); go(a.getAttribute('href')); }
  });
  window.addEventListener('popstate', render);
  $('#search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = $('#search').value.trim();
    go(q ? `/search?q=${encodeURIComponent(q)}` : '/');
  });

  function header() {
    const n = cartCount();
    const link = $('#cart-link');
    link.textContent = n ? `Cart · ${n}` : 'Cart';
    link.setAttribute('aria-label', 'Cart');
    const a = S().user.addresses[S().checkout.addressIndex] || S().user.addresses[0];
    $('#deliver-to').textContent = a ? `Deliver to ${a.street.split(',')[0]}` : '';
  }

  function render() {
    header();
    closeModal();
    const path = location.pathname;
    const main = $('#main');
    const route = path + (path === '/search' ? location.search : '');
    if (S().ui.route !== route) { S().ui.route = route; save(); } // the page, for HALO's dense rewards
    let m;
    if (path === '/' || path === '') main.innerHTML = home();
    else if ((m = /^\/category\/([^/]+)$/.exec(path))) main.innerHTML = category(decodeURIComponent(m[1]));
    else if (path === '/search') main.innerHTML = search(new URLSearchParams(location.search).get('q') || '');
    else if ((m = /^\/store\/([^/]+)$/.exec(path))) main.innerHTML = storePage(decodeURIComponent(m[1]));
    else if (path === '/checkout') { main.innerHTML = checkoutPage(); bindCheckout(); }
    else if (path === '/orders') main.innerHTML = ordersPage();
    else if ((m = /^\/orders\/([^/]+)$/.exec(path))) main.innerHTML = orderPage(decodeURIComponent(m[1]));
    else main.innerHTML = `<h1>Page not found</h1><p><a href="/" data-nav="/">Back to DashDish</a></p>`;
    bindItems();
  }

  // ---- pages ----
  function storeCard(r) {
    return `<a class="store-card" href="/store/${r.id}" data-nav="/store/${r.id}" aria-label="${esc(r.name)}">
      <div class="banner" style="background:${color(r.name)}" aria-hidden="true">${esc(r.name)}</div>
      <div class="name">${esc(r.name)}</div>
      <div class="meta">★ ${r.rating.toFixed(1)} (${r.reviews.toLocaleString('en-US')}) · ${r.distance} mi · ${r.deliveryMinutes} min</div>
      <div class="meta">${r.deliveryFee ? usd(r.deliveryFee) + ' delivery fee' : '$0 delivery fee'} · ${esc(r.categories.join(', '))}</div>
    </a>`;
  }
  function cats(active) {
    return `<nav class="cats" aria-label="Categories">${CATEGORIES.map((c) =>
      `<a class="cat${c === active ? ' on' : ''}" href="/category/${slug(c)}" data-nav="/category/${slug(c)}"><span class="dot" aria-hidden="true">${esc(c[0])}</span>${esc(c)}</a>`).join('')}</nav>`;
  }
  function home() {
    const rs = S().restaurants;
    const fastest = [...rs].sort((a, b) => a.deliveryMinutes - b.deliveryMinutes || a.name.localeCompare(b.name)).slice(0, 4);
    const top = [...rs].sort((a, b) => b.rating - a.rating || a.name.localeCompare(b.name)).slice(0, 4);
    return `${cats(null)}
      <section aria-label="Fastest near you"><h2>Fastest near you</h2><div class="grid">${fastest.map(storeCard).join('')}</div></section>
      <section aria-label="Top rated"><h2>Top rated</h2><div class="grid">${top.map(storeCard).join('')}</div></section>
      <section aria-label="All stores"><h2>All stores</h2><div class="grid">${rs.map(storeCard).join('')}</div></section>`;
  }
  function category(s) {
    const c = CATEGORIES.find((x) => slug(x) === s);
    if (!c) return `<h1>Unknown category</h1><p><a href="/" data-nav="/">Back to DashDish</a></p>`;
    const rs = S().restaurants.filter((r) => r.categories.includes(c));
    return `${cats(c)}<h1>${esc(c)}</h1><p>${rs.length} stores</p><div class="grid">${rs.map(storeCard).join('')}</div>`;
  }
  function search(q) {
    const t = q.toLowerCase();
    const rs = S().restaurants.filter((r) => r.name.toLowerCase().includes(t) || r.categories.some((c) => c.toLowerCase().includes(t))
      || r.menu.some((it) => it.name.toLowerCase().includes(t)));
    const dishes = [];
    for (const r of S().restaurants) for (const it of r.menu) if (it.name.toLowerCase().includes(t)) dishes.push([r, it]);
    return `<h1>Results for “${esc(q)}”</h1>
      <section aria-label="Stores"><h2>Stores</h2>${rs.length ? `<div class="grid">${rs.map(storeCard).join('')}</div>` : '<p class="empty">No stores match.</p>'}</section>
      <section aria-label="Dishes"><h2>Dishes</h2>${dishes.length ? `<ul>${dishes.slice(0, 40).map(([r, it]) =>
        `<li>${esc(it.name)} · ${usd(it.price)} at <a href="/store/${r.id}" data-nav="/store/${r.id}">${esc(r.name)}</a></li>`).join('')}</ul>` : '<p class="empty">No dishes match.</p>'}</section>`;
  }
  function itemButton(r, it) {
    return `<button class="item" data-item="${esc(it.id)}" aria-label="${esc(it.name)}">
      <span><span class="iname">${esc(it.name)}</span>${it.popular ? ' <span class="tag">#1 Most liked</span>' : ''}
      <span class="idesc" style="display:block">${esc(it.description)}</span><span>${usd(it.price)}</span></span>
      <span class="thumb" style="background:${color(it.name)}" aria-hidden="true">${esc(initials(it.name))}</span></button>`;
  }
  function storePage(id) {
    const r = store(id);
    if (!r) return `<h1>Store not found</h1><p><a href="/" data-nav="/">Back to DashDish</a></p>`;
    return `<div class="hero" style="background:${color(r.name)}" aria-hidden="true"></div>
      <div class="store-head"><div><h1>${esc(r.name)}</h1>
        <div class="store-info">★ ${r.rating.toFixed(1)} (${r.reviews.toLocaleString('en-US')} ratings) · ${esc(r.categories.join(', '))} · ${r.priceLevel} · ${r.distance} mi</div>
        <div class="store-info">${esc(r.address)}</div></div>
        <div class="pill-row"><span class="pill">${usd(r.deliveryFee)} delivery fee</span><span class="pill">${r.deliveryMinutes} min</span><span class="pill">Pickup available</span></div></div>
      <div class="menu-layout"><nav class="menu-nav" aria-label="Menu sections">${r.sections.map((s) => `<a href="#sec-${slug(s)}">${esc(s)}</a>`).join('')}</nav>
      <div>${r.sections.map((s) => `<section aria-label="${esc(s)}" id="sec-${slug(s)}"><h2>${esc(s)}</h2><div class="items">${
        r.menu.filter((it) => it.section === s).map((it) => itemButton(r, it)).join('')}</div></section>`).join('')}</div></div>`;
  }
  function bindItems() {
    for (const b of document.querySelectorAll('button.item')) b.addEventListener('click', () => openItem(b.dataset.item));
  }

  // ---- item dialog ----
  function closeModal() { $('#modal-root').innerHTML = ''; }
  function findItem(itemId) {
    for (const r of S().restaurants) { const it = r.menu.find((x) => x.id === itemId); if (it) return [r, it]; }
    return [null, null];
  }
  function openItem(itemId) {
    const [r, it] = findItem(itemId);
    if (!it) return;
    const groups = it.options.map((g, gi) => `<fieldset><legend>${esc(g.name)}${g.required ? '<span class="req">Required</span>' : '<span class="req" style="background:#f1f1f1;color:#494949">Optional</span>'}</legend>
      ${g.choices.map((c, ci) => `<label class="opt"><span><input type="${g.single ? 'radio' : 'checkbox'}" name="g${gi}" value="${ci}" aria-label="${esc(c.name)}"${g.required && ci === 0 ? ' checked' : ''}> ${esc(c.name)}</span><span>${c.price ? '+' + usd(c.price) : ''}</span></label>`).join('')}</fieldset>`).join('');
    $('#modal-root').innerHTML = `<div class="modal-back"><div class="modal" role="dialog" aria-modal="true" aria-label="${esc(it.name)}">
      <div class="row"><h2 style="margin:0">${esc(it.name)}</h2><button class="link-btn" id="close-item" aria-label="Close">✕</button></div>
      <p class="idesc">${esc(it.description)}</p><p>${usd(it.price)} · ${esc(r.name)}</p>
      <form id="item-form">${groups}
      <fieldset><legend>Special instructions</legend><input type="text" id="instructions" aria-label="Special instructions" placeholder="Add a note (extra napkins, no onions…)" style="width:100%;padding:8px"></fieldset>
      <div class="row"><label>Quantity <select id="qty" aria-label="Quantity">${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => `<option>${n}</option>`).join('')}</select></label>
      <button type="submit" class="btn" id="add-btn"></button></div></form></div></div>`;
    const form = $('#item-form');
    const picked = () => it.options.map((g, gi) => [...form.querySelectorAll(`input[name="g${gi}"]:checked`)].map((i) => g.choices[+i.value]));
    const unit = () => money(it.price + picked().flat().reduce((a, c) => a + c.price, 0));
    const refresh = () => { $('#add-btn').textContent = `Add to cart - ${usd(unit() * +$('#qty').value)}`; };
    form.addEventListener('change', refresh); refresh();
    $('#close-item').addEventListener('click', closeModal);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const p = picked();
      const missing = it.options.find((g, gi) => g.required && !p[gi].length);
      if (missing) { toast(`Choose a ${missing.name.toLowerCase()} first`); return; }
      const options = [];
      it.options.forEach((g, gi) => p[gi].forEach((c) => options.push({ group: g.name, choice: c.name, price: c.price })));
      const sizeOpt = options.find((o) => o.group === 'Size');
      const qty = +$('#qty').value;
      const entry = { id: `ci-${Date.now().toString(36)}-${S().cart.cartItems.length}`, itemId: it.id, name: it.name,
        description: it.description, restaurantId: r.id, restaurantName: r.name, basePrice: it.price, price: unit(),
        quantity: qty, size: sizeOpt ? sizeOpt.choice : '', options, specialInstructions: $('#instructions').value.trim(),
        totalPrice: money(unit() * qty) };
      const cart = S().cart.cartItems;
      if (cart.length && cart[0].restaurantId !== r.id) {
        if (!(await confirmNewCart(cart[0].restaurantName, r.name))) { closeModal(); return; }
        S().cart.cartItems = [];
      }
      S().cart.cartItems.push(entry);
      closeModal(); header();
      toast(`Added ${qty} × ${it.name} to cart`);
      await save();
    });
  }
  function confirmNewCart(from, to) {
    return new Promise((resolve) => {
      const root = document.createElement('div');
      root.className = 'modal-back';
      root.innerHTML = `<div class="modal" role="alertdialog" aria-modal="true" aria-label="Start a new cart?"><h2>Start a new cart?</h2>
        <p>Your cart has items from ${esc(from)}. Start a new cart to add items from ${esc(to)}.</p>
        <div class="row"><button class="btn light" id="keep-cart">Cancel</button><button class="btn" id="new-cart">Start New Cart</button></div></div>`;
      document.body.appendChild(root);
      root.querySelector('#keep-cart').addEventListener('click', () => { root.remove(); resolve(false); });
      root.querySelector('#new-cart').addEventListener('click', () => { root.remove(); resolve(true); });
    });
  }

  // ---- checkout ----
  function checkoutPage() {
    const items = S().cart.cartItems;
    if (!items.length) return `<h1>Your cart is empty</h1><p>Add items from a store to start an order.</p><p><a href="/" data-nav="/">Browse stores</a></p>`;
    const r = store(items[0].restaurantId);
    const co = S().checkout, u = S().user;
    const addr = u.addresses[co.addressIndex] || u.addresses[0];
    const ch = charges(items, r, co);
    const pickup = co.shippingOption === 'Pickup';
    const radio = (name, value, label, extra = '') => `<label class="choice${co[name] === value ? ' on' : ''}"><input type="radio" name="${name}" value="${value}" aria-label="${label}"${co[name] === value ? ' checked' : ''}> <span><strong>${label}</strong> ${extra}</span></label>`;
    return `<h1>Checkout</h1><div class="checkout"><div>
      <section class="panel" aria-label="Shipping details"><h2>2. Shipping details</h2><div class="map" aria-hidden="true"></div>
        <div class="seg" role="radiogroup" aria-label="Delivery or pickup">
          <label class="${!pickup ? 'on' : ''}"><input type="radio" name="shippingOption" value="Delivery" aria-label="Delivery"${!pickup ? ' checked' : ''}>Delivery</label>
          <label class="${pickup ? 'on' : ''}"><input type="radio" name="shippingOption" value="Pickup" aria-label="Pickup"${pickup ? ' checked' : ''}>Pickup</label></div>
        ${pickup ? `<p><strong>Pickup at ${esc(r.name)}</strong><br>${esc(r.address)}<br>Ready in ${Math.max(10, r.deliveryMinutes - 15)} min</p>`
          : `<div role="radiogroup" aria-label="Delivery speed">${radio('deliveryOption', 'Standard', 'Standard', `· ${r.deliveryMinutes}-${r.deliveryMinutes + 10} min`)}
             ${radio('deliveryOption', 'Express', 'Express', `· ${Math.max(10, r.deliveryMinutes - 10)}-${r.deliveryMinutes - 5} min · +${usd(EXPRESS_FEE)}`)}</div>
             <div class="row"><span><strong>${esc(addr.label)}</strong> · ${esc(addr.street)}, ${esc(addr.city)} ${esc(addr.zip)}<br><small>${esc(addr.instructions)}</small></span>
             <button class="link-btn" id="change-address">Change Address</button></div>`}
        <div class="row"><span>Phone: ${esc(u.phone)}</span></div></section>
      <section class="panel" aria-label="Payment details"><h2>3. Payment details</h2><p>${esc(u.card.brand)} •••• ${esc(u.card.last4)} · expires ${esc(u.card.expires)}</p></section>
      <button class="btn wide" id="place-order">Place Order</button></div>
      <aside aria-label="Order summary"><div class="panel"><h2 style="margin-top:0">${esc(r.name)}</h2>
        <div>${items.map((it, i) => `<div class="cart-item"><div><strong>${esc(it.name)}</strong><div class="opts">${esc(it.options.map((o) => o.choice).join(', '))}</div>
          <select aria-label="Quantity of ${esc(it.name)}" data-qty="${i}">${[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => `<option${n === it.quantity ? ' selected' : ''}>${n}</option>`).join('')}</select>
          <button class="link-btn" data-remove="${i}" aria-label="Remove ${esc(it.name)}">Remove</button></div><div>${usd(it.price * it.quantity)}</div></div>`).join('')}</div>
        <h2>Order summary</h2>
        <div class="sum-line"><span>Subtotal</span><span>${usd(ch.subtotal)}</span></div>
        ${pickup ? '' : `<div class="sum-line"><span>Delivery Fee</span><span>${usd(ch.deliveryFee)}</span></div>`}
        ${ch.expressFee ? `<div class="sum-line"><span>Express Fee</span><span>${usd(ch.expressFee)}</span></div>` : ''}
        ${pickup ? '' : `<div class="sum-line"><span>Service Fee</span><span>${usd(ch.serviceFee)}</span></div>`}
        <div class="sum-line"><span>Estimated Tax</span><span>${usd(ch.estimatedTax)}</span></div>
        ${pickup ? '' : `<div class="sum-line"><span>Dasher Tip</span><span>${usd(ch.dasherTip)}</span></div>
          <div class="tips" role="group" aria-label="Dasher Tip">${TIPS.map((t) => `<button data-tip="${t}" aria-pressed="${co.tip === t}" aria-label="Tip $${t}">$${t}</button>`).join('')}</div>`}
        <div class="sum-line total"><span>Total</span><span id="total">${usd(ch.totalAmount)}</span></div></div></aside></div>`;
  }
  function bindCheckout() {
    const main = $('#main');
    for (const i of main.querySelectorAll('input[type=radio]')) i.addEventListener('change', async () => { S().checkout[i.name] = i.value; render(); await save(); });
    for (const b of main.querySelectorAll('[data-tip]')) b.addEventListener('click', async () => { S().checkout.tip = +b.dataset.tip; render(); await save(); });
    for (const s of main.querySelectorAll('[data-qty]')) s.addEventListener('change', async () => {
      const it = S().cart.cartItems[+s.dataset.qty]; it.quantity = +s.value; it.totalPrice = money(it.price * it.quantity); render(); await save(); });
    for (const b of main.querySelectorAll('[data-remove]')) b.addEventListener('click', async () => { S().cart.cartItems.splice(+b.dataset.remove, 1); render(); await save(); });
    const ca = $('#change-address'); if (ca) ca.addEventListener('click', openAddresses);
    const po = $('#place-order'); if (po) po.addEventListener('click', placeOrder);
  }
  function openAddresses() {
    const u = S().user;
    $('#modal-root').innerHTML = `<div class="modal-back"><div class="modal" role="dialog" aria-modal="true" aria-label="Change Address"><h2 style="margin-top:0">Change Address</h2>
      ${u.addresses.map((a, i) => `<div class="choice${i === S().checkout.addressIndex ? ' on' : ''}"><span style="flex:1"><strong>${esc(a.label)}</strong><br>${esc(a.street)}, ${esc(a.city)} ${esc(a.zip)}</span>
        <button class="btn light" data-addr="${i}" aria-label="Deliver to ${esc(a.label)}">Select</button></div>`).join('')}
      <div class="row"><span></span><button class="btn light" id="close-addr">Close</button></div></div></div>`;
    for (const b of document.querySelectorAll('[data-addr]')) b.addEventListener('click', async () => { S().checkout.addressIndex = +b.dataset.addr; render(); await save(); });
    $('#close-addr').addEventListener('click', closeModal);
  }
  let placing = false;
  async function placeOrder() {
    if (placing) return;
    const items = S().cart.cartItems;
    if (!items.length) return;
    placing = true;
    try {
      const r = store(items[0].restaurantId), co = S().checkout, u = S().user;
      const addr = u.addresses[co.addressIndex] || u.addresses[0];
      const pickup = co.shippingOption === 'Pickup';
      const n = Object.keys(S().cart.foodOrders).length;
      const orderId = `DD-${String(104820 + n * 37)}`;
      const minutes = pickup ? Math.max(10, r.deliveryMinutes - 15) : (co.deliveryOption === 'Express' ? r.deliveryMinutes - 10 : r.deliveryMinutes);
      S().cart.foodOrders[orderId] = {
        orderId, restaurantId: r.id, restaurantName: r.name, status: 'Placed', createdAt: H.clock.now_utc,
        cartItems: JSON.parse(JSON.stringify(items)),
        checkoutDetails: {
          shipping: { shippingOption: co.shippingOption, deliveryOption: pickup ? '' : co.deliveryOption,
            address: pickup ? r.address : `${addr.street}, ${addr.city} ${addr.zip}`, phone: u.phone, estimatedTime: `${minutes} min` },
          payment: { method: u.card.brand, last4: u.card.last4 },
          charges: charges(items, r, co),
        },
      };
      S().cart.cartItems = [];
      await save();
      go(`/orders/${orderId}`);
    } finally { placing = false; }
  }

  // ---- orders ----
  function orderSummary(o) {
    const ch = o.checkoutDetails.charges, sh = o.checkoutDetails.shipping;
    return `<div class="panel"><h2>${esc(o.restaurantName)} · ${esc(o.orderId)}</h2>
      <p class="status-ok">${esc(o.status)} · ${esc(sh.shippingOption)}${sh.deliveryOption ? ' (' + esc(sh.deliveryOption) + ')' : ''} · ${esc(sh.estimatedTime)}</p>
      <ul>${o.cartItems.map((it) => `<li>${it.quantity} × ${esc(it.name)}${it.options.length ? ' (' + esc(it.options.map((x) => x.choice).join(', ')) + ')' : ''} · ${usd(it.price * it.quantity)}</li>`).join('')}</ul>
      <p>Total: <strong>${usd(ch.totalAmount)}</strong></p></div>`;
  }
  function ordersPage() {
    const os = Object.values(S().cart.foodOrders).reverse();
    return `<h1>Orders</h1><div class="orders">${os.length ? os.map(orderSummary).join('') : '<p class="empty">No orders yet.</p>'}</div>`;
  }
  function orderPage(id) {
    const o = S().cart.foodOrders[id];
    if (!o) return `<h1>Order not found</h1><p><a href="/orders" data-nav="/orders">Your orders</a></p>`;
    return `<h1>Order placed, thanks!</h1>${orderSummary(o)}<p><a href="/" data-nav="/">Back to DashDish</a></p>`;
  }

  H.load().then(render);
})();
