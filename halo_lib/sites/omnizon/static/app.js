// Omnizon: an Amazon look-alike single-page shop. The whole app state lives in HaloSite.state;
// every change mutates it, re-renders and saves (HaloSite.save()).
(function () {
  'use strict';
  const H = window.HaloSite;
  const $ = (sel, root = document) => root.querySelector(sel);
  const esc = (s) => String(s == null ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const money = (n) => '$' + Number(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const round2 = (n) => Math.round(n * 100) / 100;
  const TAX_RATE = 0.08625;
  const ui = { heroIndex: 0, editAddress: false, editPayment: false, priceMin: '', priceMax: '' };

  const S = () => H.state;
  const product = (id) => S().products.find((p) => p.id === String(id));
  const cartCount = () => S().cart.cartItems.reduce((n, it) => n + it.quantity, 0);

  // ---------- persistence -----------------------------------------------------------------------
  function commit() {
    render();
    H.save();
  }

  function toast(html) {
    const region = $('#toast-region');
    const el = document.createElement('div');
    el.className = 'toast';
    el.innerHTML = html;
    region.appendChild(el);
    setTimeout(() => el.classList.add('hide'), 2600);
    setTimeout(() => el.remove(), 3000);
  }

  // ---------- routing ---------------------------------------------------------------------------
  function syncRouter() {
    const loc = S().router.location;
    const changed = loc.pathname !== window.location.pathname || loc.search !== window.location.search;
    loc.pathname = window.location.pathname;
    loc.search = window.location.search;
    return changed;
  }

  function go(path) {
    if (path !== window.location.pathname + window.location.search) history.pushState({}, '', path);
    ui.editAddress = false;
    ui.editPayment = false;
    $('#toast-region').innerHTML = '';
    syncRouter();
    commit();
    window.scrollTo(0, 0);
  }

  window.addEventListener('popstate', () => {
    if (syncRouter()) commit(); else render();
  });

  // ---------- search ------------------------------------------------------------------------------
  const stem = (w) => (w.length > 3 && w.endsWith('es') && /(ch|sh|x|ss)es$/.test(w) ? w.slice(0, -2) : w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
  const words = (s) => String(s || '').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).map(stem);

  function matches(p, query) {
    const toks = words(query);
    if (!toks.length) return true;
    const hay = words([p.name, p.brand, p.category, p.tags].join(' '));
    return toks.every((t) => hay.some((w) => w === t || (t.length >= 3 && w.startsWith(t))));
  }

  function results() {
    const f = S().filter;
    let list = S().products.filter((p) => matches(p, f.searchQuery));
    if (f.category && f.category !== 'All') list = list.filter((p) => p.category === f.category);
    if (f.minPrice != null) list = list.filter((p) => p.price >= f.minPrice);
    if (f.maxPrice != null) list = list.filter((p) => p.price <= f.maxPrice);
    const sorted = list.slice();
    if (f.sortBy === 'price-asc') sorted.sort((a, b) => a.price - b.price);
    else if (f.sortBy === 'price-desc') sorted.sort((a, b) => b.price - a.price);
    else if (f.sortBy === 'rating') sorted.sort((a, b) => b.rating - a.rating);
    return sorted;
  }

  function submitSearch(q, cat) {
    const f = S().filter;
    f.searchQuery = q.trim();
    f.searchInputValue = q;
    f.category = cat || 'All';
    f.minPrice = null;
    f.maxPrice = null;
    ui.priceMin = '';
    ui.priceMax = '';
    go('/search?k=' + encodeURIComponent(f.searchQuery));
  }

  // ---------- cart / checkout -------------------------------------------------------------------
  function addToCart(id, qty) {
    const items = S().cart.cartItems;
    const line = items.find((it) => it.id === id);
    if (line) line.quantity = Math.min(30, line.quantity + qty);
    else items.push({ id, quantity: qty });
    commit();
    const p = product(id);
    toast(`<span class="toast-check" aria-hidden="true">✔</span><div><b>Added to Cart</b><div class="toast-sub">${esc(p.name.slice(0, 60))}${p.name.length > 60 ? '…' : ''}</div></div>
      <a href="/cart" data-link class="toast-link">Go to Cart</a>`);
  }

  function checkoutLines() {
    const c = S().cart;
    const lines = c.buyNow ? [c.buyNow] : c.cartItems;
    return lines.map((l) => ({ line: l, p: product(l.id) })).filter((x) => x.p);
  }

  const DELIVERY = () => {
    const now = H.now();
    const day = (n) => H.fmt(new Date(now.getTime() + n * 86400000), { weekday: 'long', month: 'short', day: 'numeric' });
    return [
      { id: 'oneday', title: 'Tomorrow, ' + day(1).split(', ').slice(1).join(', '), sub: 'FREE One-Day Delivery', cost: 0, days: 1 },
      { id: 'express', title: 'Today, 4 PM - 8 PM', sub: '$9.99 Same-Day Delivery', cost: 9.99, days: 0 },
      { id: 'standard', title: day(4), sub: 'FREE Omnizon Day Delivery', cost: 0, days: 4 },
    ];
  };

  function totals(lines) {
    const items = round2(lines.reduce((s, x) => s + x.p.price * x.line.quantity, 0));
    const opt = DELIVERY().find((d) => d.id === S().order.selectedDelivery) || DELIVERY()[0];
    const shipping = opt.cost;
    const beforeTax = round2(items + shipping);
    const tax = round2(items * TAX_RATE);
    return { items, shipping, beforeTax, tax, total: round2(beforeTax + tax), opt };
  }

  function placeOrder() {
    const st = S();
    const lines = checkoutLines();
    if (!lines.length) return;
    const t = totals(lines);
    const n = st.order.orders.length + 1;
    const addr = st.user.addresses.find((a) => a.id === st.user.selectedAddressId);
    const card = st.user.paymentMethods.find((c) => c.id === st.user.selectedPaymentId);
    const arrive = H.fmt(new Date(H.now().getTime() + t.opt.days * 86400000), { weekday: 'long', month: 'long', day: 'numeric' });
    st.order.orders.push({
      id: 'order-' + n,
      orderNumber: '112-4827' + String(193 + n).padStart(3, '0') + '-' + String(5530021 + n * 7919).slice(-7),
      date: H.iso(H.now()),
      items: lines.map((x) => ({ id: x.p.id, name: x.p.name, price: x.p.price, quantity: x.line.quantity })),
      subtotal: t.items,
      shippingCost: t.shipping,
      tax: t.tax,
      total: t.total,
      delivery: { option: t.opt.id, arriving: arrive },
      shippingAddress: { ...addr },
      paymentMethod: { type: card.type, last4: card.last4 },
      status: 'Ordered',
    });
    if (st.cart.buyNow) st.cart.buyNow = null;
    else st.cart.cartItems = [];
    go('/confirmation');
  }

  // ---------- shared pieces ---------------------------------------------------------------------
  function stars(r, reviews) {
    const pct = Math.round((r / 5) * 100);
    return `<span class="stars" role="img" aria-label="${r} out of 5 stars"><span class="stars-fill" style="width:${pct}%">★★★★★</span>★★★★★</span>
      <span class="rating-num">${r}</span>${reviews != null ? `<span class="reviews">(${Number(reviews).toLocaleString('en-US')})</span>` : ''}`;
  }

  function priceHtml(p, big) {
    const [d, c] = p.price.toFixed(2).split('.');
    const off = p.listPrice ? Math.round((1 - p.price / p.listPrice) * 100) : 0;
    return `<span class="price ${big ? 'big' : ''}" aria-label="Price ${money(p.price)}"><span class="sym">$</span>${Number(d).toLocaleString('en-US')}<span class="cents">${c}</span></span>
      ${p.listPrice ? `<span class="list-price">${off > 0 ? `<span class="off">-${off}%</span> ` : ''}List: <s>${money(p.listPrice)}</s></span>` : ''}`;
  }

  const pic = (p, cls = '') => `<div class="pic ${cls}">${window.productArt(p.art, p.color)}</div>`;

  function header() {
    const st = S();
    const cats = ['All'].concat([...new Set(st.products.map((p) => p.category))]);
    const addr = st.user.addresses.find((a) => a.id === st.user.selectedAddressId);
    const n = cartCount();
    return `
    <div class="notice" role="note">This website is a demonstration clone of an online store, built for research on web agents.
      Nothing you order here will ship and no payment is taken.</div>
    <header class="topbar">
      <a href="/" data-link class="logo" aria-label="Omnizon home"><span class="logo-text">omnizon</span><span class="logo-smile" aria-hidden="true"></span></a>
      <button class="nav-item deliver" data-action="noop" aria-label="Deliver to ${esc(st.user.name.split(' ')[0])}, ${esc(addr.city)} ${esc(addr.zip)}">
        <svg class="pin-svg" viewBox="0 0 16 20" aria-hidden="true"><path d="M8 1a6 6 0 0 0-6 6c0 4.5 6 12 6 12s6-7.5 6-12a6 6 0 0 0-6-6z" fill="none" stroke="currentColor" stroke-width="1.8"/><circle cx="8" cy="7" r="2.2" fill="currentColor"/></svg><span><span class="line1">Deliver to ${esc(st.user.name.split(' ')[0])}</span><span class="line2">${esc(addr.city)} ${esc(addr.zip)}</span></span></button>
      <form class="search" role="search" data-form="search">
        <select class="search-cat" name="cat" aria-label="Search in">
          ${cats.map((c) => `<option value="${esc(c)}" ${c === st.filter.category ? 'selected' : ''}>${esc(c)}</option>`).join('')}
        </select>
        <input type="search" name="q" class="search-input" placeholder="Search Omnizon" aria-label="Search Omnizon" autocomplete="off" value="${esc(st.filter.searchInputValue)}">
        <button type="submit" class="search-btn" aria-label="Go"><svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="10" cy="10" r="6.5" fill="none" stroke="#111" stroke-width="2.4"/><line x1="15" y1="15" x2="21" y2="21" stroke="#111" stroke-width="2.6" stroke-linecap="round"/></svg></button>
      </form>
      <div class="nav-item lang" aria-hidden="true"><span class="flag"></span><b>EN</b></div>
      <a class="nav-item" href="/orders" data-link><span class="line1">Hello, ${esc(st.user.name.split(' ')[0])}</span><span class="line2">Account &amp; Lists ▾</span></a>
      <a class="nav-item" href="/orders" data-link><span class="line1">Returns</span><span class="line2">&amp; Orders</span></a>
      <a class="nav-item cart-link" href="/cart" data-link aria-label="Cart, ${n} ${n === 1 ? 'item' : 'items'}">
        <span class="cart-icon" aria-hidden="true"><span class="cart-count">${n}</span><svg viewBox="0 0 40 30"><path d="M2 4h6l5 16h19l4-12H11" fill="none" stroke="#fff" stroke-width="2.5" stroke-linejoin="round"/><circle cx="15" cy="25" r="2.5" fill="#fff"/><circle cx="29" cy="25" r="2.5" fill="#fff"/></svg></span>
        <span class="line2 cart-word" aria-hidden="true">Cart</span></a>
    </header>
    <nav class="subnav" aria-label="Departments">
      <a href="/search?k=" data-link data-cat="All" class="all">☰ All</a>
      ${['Gaming', 'Headphones', 'Kitchen', 'Home', 'Office', 'Sports', 'Smartphones', 'Electronics', 'Fashion']
        .map((c) => `<a href="/search?cat=${c}" data-link data-cat="${c}">${c === 'Home' ? 'Home &amp; Bedroom' : c}</a>`).join('')}
      <span class="subnav-right">Shop great deals now</span>
    </nav>`;
  }

  function footer() {
    return `<footer class="footer">
      <button class="backtop" data-action="top">Back to top</button>
      <div class="foot-cols">
        <div><h3>Get to Know Us</h3><p>Careers</p><p>Blog</p><p>About Omnizon</p><p>Investor Relations</p><p>Omnizon Devices</p></div>
        <div><h3>Make Money with Us</h3><p>Sell products on Omnizon</p><p>Sell on Omnizon Business</p><p>Become an Affiliate</p><p>Advertise Your Products</p></div>
        <div><h3>Omnizon Payment Products</h3><p>Omnizon Business Card</p><p>Shop with Points</p><p>Reload Your Balance</p><p>Omnizon Currency Converter</p></div>
        <div><h3>Let Us Help You</h3><p>Your Account</p><p>Your Orders</p><p>Shipping Rates &amp; Policies</p><p>Returns &amp; Replacements</p><p>Help</p></div>
      </div>
      <div class="foot-bottom"><span class="logo-text small">omnizon</span><span>© 1996-2024, Omnizon.com, Inc. or its affiliates</span></div>
    </footer>`;
  }

  function card(p) {
    return `<div class="card" role="listitem">
      <a href="/product/${p.id}" data-link tabindex="-1" aria-hidden="true">${pic(p)}</a>
      <div class="card-body">
        <a href="/product/${p.id}" data-link class="card-title">${esc(p.name)}</a>
        <div class="card-rating">${stars(p.rating, p.reviews)}</div>
        <div class="card-price">${priceHtml(p)}</div>
        <div class="card-ship">FREE delivery <b>${esc(DELIVERY()[0].title.replace('Tomorrow, ', ''))}</b></div>
        <button class="btn btn-yellow btn-sm" data-action="add" data-id="${p.id}" aria-label="Add to cart: ${esc(p.name)}">Add to cart</button>
      </div></div>`;
  }

  // ---------- pages -----------------------------------------------------------------------------
  const HERO = [
    { title: '$5 flat delivery fee on international orders', sub: 'Shop millions of products that ship to you', cls: 'hero-orange' },
    { title: 'Game on: controllers, headsets & more', sub: 'Gaming accessories from $24.99', cls: 'hero-blue', cat: 'Gaming' },
    { title: 'Cook something great', sub: 'Pots, pans and kitchen favorites', cls: 'hero-teal', cat: 'Kitchen' },
  ];

  function homePage() {
    const h = HERO[ui.heroIndex];
    const quad = (title, ids, linkText, cat) => `<section class="tile" aria-label="${esc(title)}"><h2>${esc(title)}</h2>
      <div class="quad">${ids.map((id) => product(id)).map((p) => `<a href="/product/${p.id}" data-link class="quad-item">${pic(p, 'small')}<span>${esc(p.name.split(',')[0].split(' ').slice(0, 4).join(' '))}</span></a>`).join('')}</div>
      <a href="/search?cat=${cat}" data-link data-cat="${cat}" class="tile-link">${esc(linkText)}</a></section>`;
    const single = (title, id, linkText) => {
      const p = product(id);
      return `<section class="tile" aria-label="${esc(title)}"><h2>${esc(title)}</h2><a href="/product/${p.id}" data-link class="single">${pic(p, 'big')}</a>
      <a href="/product/${p.id}" data-link class="tile-link">${esc(linkText)}</a></section>`;
    };
    const strip = (title, cat) => `<section class="strip" aria-label="${esc(title)}"><h2>${esc(title)}</h2><div class="strip-row">
      ${S().products.filter((p) => p.category === cat).map((p) => `<a href="/product/${p.id}" data-link class="strip-item" aria-label="${esc(p.name)}">${pic(p)}</a>`).join('')}</div></section>`;
    return `<main class="home">
      <div class="hero ${h.cls}" aria-roledescription="carousel" aria-label="Featured promotions">
        <button class="hero-nav prev" data-action="hero" data-step="-1" aria-label="Previous slide">‹</button>
        <div class="hero-text"><div class="hero-title">${esc(h.title)}</div><div class="hero-sub">${esc(h.sub)}</div></div>
        <div class="hero-art" aria-hidden="true">${window.productArt('box', '#c2410c')}${window.productArt('headphones', '#1f2937')}${window.productArt('bag', '#7c2d12')}</div>
        <button class="hero-nav next" data-action="hero" data-step="1" aria-label="Next slide">›</button>
      </div>
      <div class="tiles">
        ${quad('Gaming accessories', ['16', '192', '193', '42'], 'See more', 'Gaming')}
        ${quad('Top categories in Kitchen appliances', ['212', '215', '213', '216'], 'Explore all products in Kitchen', 'Kitchen')}
        ${quad('Shop for your home essentials', ['167', '168', '230', '233'], 'Discover more in Home', 'Home')}
        ${single('Deals on headphones', '31', 'Shop now')}
        ${quad('Set up your home office', ['159', '160', '158', '162'], 'Shop office furniture', 'Office')}
        ${quad('Get game-ready', ['114', '115', '116', '118'], 'Shop sports', 'Sports')}
        ${single('New smartphones', '22', 'See the Galaxy S24 Ultra')}
        ${quad('Entertaining essentials', ['220', '221', '91', '214'], 'Shop dining', 'Kitchen')}
      </div>
      ${strip('Best Sellers in Kitchen', 'Kitchen')}
      ${strip('Popular products in Gaming', 'Gaming')}
    </main>`;
  }

  function searchPage() {
    const f = S().filter;
    const list = results();
    const ranges = [['Under $25', null, 25], ['$25 to $50', 25, 50], ['$50 to $100', 50, 100], ['$100 to $200', 100, 200], ['$200 & Above', 200, null]];
    const label = f.searchQuery ? `"${esc(f.searchQuery)}"` : esc(f.category === 'All' ? 'all products' : f.category);
    const cats = [...new Set(S().products.map((p) => p.category))];
    return `<div class="results-bar"><span>${list.length ? `1-${list.length} of ${list.length} results` : 'No results'} for <b class="q">${label}</b></span>
      <label class="sort">Sort by: <select data-change="sort" aria-label="Sort by">
        ${[['featured', 'Featured'], ['price-asc', 'Price: Low to High'], ['price-desc', 'Price: High to Low'], ['rating', 'Avg. Customer Review']]
          .map(([v, t]) => `<option value="${v}" ${f.sortBy === v ? 'selected' : ''}>${t}</option>`).join('')}</select></label></div>
    <div class="search-layout">
      <aside class="filters" aria-label="Filters">
        <h3>Department</h3>
        <ul>${['All'].concat(cats).map((c) => `<li><button class="linkish ${f.category === c ? 'on' : ''}" data-action="cat" data-cat="${c}">${c === 'All' ? 'Any Department' : c}</button></li>`).join('')}</ul>
        <h3>Customer Reviews</h3>
        <div class="stars-row">${stars(4, null)} &amp; Up</div>
        <h3>Price</h3>
        <ul>${ranges.map(([t, lo, hi]) => `<li><button class="linkish ${f.minPrice === lo && f.maxPrice === hi ? 'on' : ''}" data-action="range" data-lo="${lo ?? ''}" data-hi="${hi ?? ''}">${t}</button></li>`).join('')}</ul>
        <form class="price-form" data-form="price">
          <input type="number" min="0" step="1" name="min" placeholder="$ Min" aria-label="Minimum price" value="${esc(f.minPrice ?? ui.priceMin)}">
          <input type="number" min="0" step="1" name="max" placeholder="$ Max" aria-label="Maximum price" value="${esc(f.maxPrice ?? ui.priceMax)}">
          <button type="submit" class="btn btn-light btn-sm">Go</button>
        </form>
        ${f.minPrice != null || f.maxPrice != null ? '<button class="linkish clear" data-action="range" data-lo="" data-hi="">‹ Clear price filter</button>' : ''}
      </aside>
      <main class="results">
        <h1 class="results-title">Results</h1>
        <p class="results-sub">Check each product page for other buying options.</p>
        ${list.length ? `<div class="grid" role="list" aria-label="Search results">${list.map(card).join('')}</div>`
          : `<div class="empty"><h2>No results for ${label}.</h2><p>Try checking your spelling or use more general terms.</p></div>`}
      </main>
    </div>`;
  }

  function productPage(id) {
    const p = product(id);
    if (!p) return notFound();
    const del = DELIVERY();
    return `<main class="product">
      <div class="crumbs"><a href="/search?cat=${p.category}" data-link data-cat="${p.category}">${esc(p.category)}</a> › <span>${esc(p.brand)}</span></div>
      <div class="product-layout">
        <div class="product-gallery">${pic(p, 'hero-pic')}</div>
        <div class="product-info">
          <h1 class="product-title">${esc(p.name)}</h1>
          <a class="brand" href="/search?k=${encodeURIComponent(p.brand)}" data-action="brand" data-brand="${esc(p.brand)}">Visit the ${esc(p.brand)} Store</a>
          <div class="product-rating">${stars(p.rating, p.reviews)} ratings</div>
          ${p.reviews > 20000 ? '<div class="badge">Omnizon\'s <b>Choice</b></div>' : ''}
          <hr>
          <div class="product-price">${priceHtml(p, true)}</div>
          <p class="muted">FREE Returns · Visa card holders save 5%</p>
          <hr>
          <h2 class="about">About this item</h2>
          <ul class="bullets">${p.bullets.map((b) => `<li>${esc(b)}</li>`).join('')}</ul>
        </div>
        <aside class="buybox" aria-label="Buy box">
          <div class="buybox-price">${priceHtml(p, true)}</div>
          <p>FREE delivery <b>${esc(del[0].title.replace('Tomorrow, ', ''))}</b>. Order within <span class="green">5 hrs 29 mins</span>.</p>
          <p class="deliver-to"><svg class="pin-svg" viewBox="0 0 16 20" aria-hidden="true"><path d="M8 1a6 6 0 0 0-6 6c0 4.5 6 12 6 12s6-7.5 6-12a6 6 0 0 0-6-6z" fill="none" stroke="currentColor" stroke-width="1.8"/><circle cx="8" cy="7" r="2.2" fill="currentColor"/></svg> Deliver to Jane - San Francisco 94103</p>
          <p class="instock">In Stock</p>
          <label class="qty-label">Quantity: <select id="qty" aria-label="Quantity">${Array.from({ length: 30 }, (_, i) => `<option value="${i + 1}">${i + 1}</option>`).join('')}</select></label>
          <button class="btn btn-yellow btn-round" data-action="add-qty" data-id="${p.id}">Add to Cart</button>
          <button class="btn btn-orange btn-round" data-action="buy-now" data-id="${p.id}">Buy Now</button>
          <table class="buybox-meta"><tr><td>Ships from</td><td>Omnizon.com</td></tr><tr><td>Sold by</td><td>Omnizon.com</td></tr><tr><td>Returns</td><td>30-day refund/replacement</td></tr></table>
        </aside>
      </div>
    </main>`;
  }

  function qtySelect(line, where) {
    return `<select class="qty-select" data-change="qty" data-where="${where}" data-id="${line.id}" aria-label="Quantity for ${esc(product(line.id).name)}">
      ${Array.from({ length: 30 }, (_, i) => `<option value="${i + 1}" ${line.quantity === i + 1 ? 'selected' : ''}>Qty: ${i + 1}</option>`).join('')}</select>`;
  }

  function cartPage() {
    const lines = S().cart.cartItems.map((l) => ({ line: l, p: product(l.id) })).filter((x) => x.p);
    const n = cartCount();
    const sub = round2(lines.reduce((s, x) => s + x.p.price * x.line.quantity, 0));
    if (!lines.length) {
      return `<main class="cart"><section class="panel cart-main"><h1>Your Omnizon Cart is empty</h1>
        <p>Your shopping cart is waiting. Give it purpose – fill it with groceries, clothing, household supplies, electronics, and more.</p>
        <a href="/" data-link class="btn btn-yellow btn-round inline">Continue shopping</a></section></main>`;
    }
    return `<main class="cart">
      <section class="panel cart-main" aria-label="Shopping Cart"><h1>Shopping Cart</h1><div class="price-col-head">Price</div>
        <ul class="cart-lines">${lines.map(({ line, p }) => `<li class="cart-line">
          <a href="/product/${p.id}" data-link tabindex="-1" aria-hidden="true">${pic(p, 'small')}</a>
          <div class="cart-line-body"><a href="/product/${p.id}" data-link class="cart-line-title">${esc(p.name)}</a>
            <div class="instock small">In Stock</div><div class="muted small">Eligible for FREE Shipping</div>
            <div class="cart-line-actions">${qtySelect(line, 'cart')}<span class="sep">|</span>
            <button class="linkish" data-action="remove" data-id="${p.id}" aria-label="Delete ${esc(p.name)}">Delete</button><span class="sep">|</span>
            <button class="linkish" data-action="noop">Save for later</button></div></div>
          <div class="cart-line-price">${money(p.price)}</div></li>`).join('')}</ul>
        <div class="cart-subtotal">Subtotal (${n} ${n === 1 ? 'item' : 'items'}): <b>${money(sub)}</b></div>
      </section>
      <aside class="panel cart-side">
        <p class="green small">✔ Your order qualifies for FREE Shipping.</p>
        <div class="cart-subtotal">Subtotal (${n} ${n === 1 ? 'item' : 'items'}): <b>${money(sub)}</b></div>
        <button class="btn btn-yellow btn-round" data-action="checkout">Proceed to checkout</button>
      </aside>
    </main>`;
  }

  function checkoutPage() {
    const st = S();
    const lines = checkoutLines();
    if (!lines.length) return `<main class="checkout"><section class="panel"><h1>Nothing to check out</h1><a href="/" data-link>Continue shopping</a></section></main>`;
    const t = totals(lines);
    const addr = st.user.addresses.find((a) => a.id === st.user.selectedAddressId);
    const card = st.user.paymentMethods.find((c) => c.id === st.user.selectedPaymentId);
    const count = lines.reduce((s, x) => s + x.line.quantity, 0);
    const where = st.cart.buyNow ? 'buynow' : 'cart';
    const arrive = H.fmt(new Date(H.now().getTime() + t.opt.days * 86400000), { month: 'short', day: 'numeric', year: 'numeric' });
    const addrBlock = ui.editAddress
      ? `<fieldset class="choices"><legend>Choose a shipping address</legend>${st.user.addresses.map((a) => `<label class="choice"><input type="radio" name="addr" value="${a.id}" ${a.id === addr.id ? 'checked' : ''} data-change="addr"> <b>${esc(a.fullName)}</b> ${esc(a.street)}, ${esc(a.city)}, ${esc(a.state)} ${esc(a.zip)}</label>`).join('')}
         <button class="btn btn-yellow btn-sm" data-action="edit-addr">Use this address</button></fieldset>`
      : `<div>${esc(addr.fullName)}<br>${esc(addr.street)}<br>${esc(addr.city)}, ${esc(addr.state)} ${esc(addr.zip)}<br><a class="linkish small" href="#" data-action="noop">Add delivery instructions</a></div>`;
    const payBlock = ui.editPayment
      ? `<fieldset class="choices"><legend>Your credit and debit cards</legend>${st.user.paymentMethods.map((c) => `<label class="choice"><input type="radio" name="card" value="${c.id}" ${c.id === card.id ? 'checked' : ''} data-change="card"> <b>${esc(c.type)}</b> ending in ${esc(c.last4)} <span class="muted">${esc(c.cardName)} · ${esc(c.month)}/${esc(c.year)}</span></label>`).join('')}
         <button class="btn btn-yellow btn-sm" data-action="edit-pay">Use this payment method</button></fieldset>`
      : `<div><b>Paying with ${esc(card.type)} ${esc(card.last4)}</b><br><span class="muted small">Billing address: Same as shipping address.</span>
         <div class="gift"><span>+ Add a gift card or promotion code or voucher</span><div class="gift-row"><input aria-label="Enter code" placeholder="Enter code"><button class="btn btn-light btn-sm" data-action="noop">Apply</button></div></div></div>`;
    const summary = `<aside class="panel order-box" aria-label="Order Summary">
        <button class="btn btn-yellow btn-round" data-action="place">Place your order</button>
        <p class="tiny">By placing your order, you agree to Omnizon's privacy notice and conditions of use.</p><hr>
        <h2>Order Summary</h2>
        <table class="sum"><tr><td>Items (${count}):</td><td>${money(t.items)}</td></tr>
          <tr><td>Shipping &amp; handling:</td><td>${money(t.shipping)}</td></tr>
          <tr class="rule"><td>Total before tax:</td><td>${money(t.beforeTax)}</td></tr>
          <tr><td>Estimated tax to be collected:</td><td>${money(t.tax)}</td></tr>
          <tr class="grand"><td>Order total:</td><td>${money(t.total)}</td></tr></table>
      </aside>`;
    return `<main class="checkout">
      <div class="checkout-steps">
        <section class="step" aria-label="Shipping address"><div class="step-num">1</div><h2>Shipping address</h2><div class="step-body">${addrBlock}</div>
          <button class="linkish change" data-action="edit-addr" aria-label="Change shipping address">${ui.editAddress ? 'Close' : 'Change'}</button></section>
        <section class="step" aria-label="Payment method"><div class="step-num">2</div><h2>Payment method</h2><div class="step-body">${payBlock}</div>
          <button class="linkish change" data-action="edit-pay" aria-label="Change payment method">${ui.editPayment ? 'Close' : 'Change'}</button></section>
        <section class="step review" aria-label="Review items and shipping"><div class="step-num">3</div><h2>Review items and shipping</h2>
          <div class="review-box">
            <h3 class="green">Arriving ${esc(arrive)}</h3><p class="muted small">Items shipped from Omnizon.com</p>
            <div class="review-grid"><ul class="review-items">${lines.map(({ line, p }) => `<li class="review-item">${pic(p, 'small')}
              <div><b class="ri-title">${esc(p.name)}</b><div class="red">${money(p.price)}</div><div class="muted small">Sold by: Omnizon.com</div>${qtySelect(line, where)}</div></li>`).join('')}</ul>
            <fieldset class="delivery"><legend><b>Choose your delivery option:</b></legend>
              ${DELIVERY().map((d) => `<label class="choice"><input type="radio" name="delivery" value="${d.id}" ${d.id === t.opt.id ? 'checked' : ''} data-change="delivery">
                <span><span class="green b">${esc(d.title)}</span><br><span class="muted small">${esc(d.sub)}</span></span></label>`).join('')}
            </fieldset></div>
          </div></section>
        <div class="place-row panel"><button class="btn btn-yellow btn-round" data-action="place">Place your order</button>
          <div><div class="red b">Order total: ${money(t.total)}</div><div class="tiny">By placing your order, you agree to Omnizon's privacy notice and conditions of use.</div></div></div>
      </div>
      ${summary}
    </main>`;
  }

  function confirmationPage() {
    const orders = S().order.orders;
    const o = orders[orders.length - 1];
    if (!o) return `<main class="confirm"><section class="panel"><h1>No recent order</h1><a href="/" data-link>Continue shopping</a></section></main>`;
    const a = o.shippingAddress;
    return `<main class="confirm"><section class="panel confirm-box">
      <h1 class="green"><span aria-hidden="true">✔</span> Order placed, thanks!</h1>
      <p>Confirmation will be sent to your email.</p>
      <p><b>Shipping to ${esc(a.fullName)},</b> ${esc(a.street)}, ${esc(a.city)}, ${esc(a.state)} ${esc(a.zip)}</p>
      <hr>
      <div class="confirm-grid"><div><b>${esc(o.delivery.arriving)}</b><br><span class="muted small">Delivery date</span></div>
        <div class="confirm-pics">${o.items.map((it) => pic(product(it.id), 'small')).join('')}</div></div>
      <p class="small">Order # ${esc(o.orderNumber)} · Order total ${money(o.total)}</p>
      <a href="/orders" data-link class="linkish">Review or edit your recent orders ›</a>
      <a href="/" data-link class="btn btn-yellow btn-round inline">Continue shopping</a>
    </section></main>`;
  }

  function ordersPage() {
    const orders = S().order.orders.slice().reverse();
    return `<main class="orders"><h1>Your Orders</h1>
      ${orders.length ? orders.map((o) => `<section class="order-card" aria-label="Order ${esc(o.orderNumber)}">
        <div class="order-head"><div><span class="muted small">ORDER PLACED</span><br>${esc(H.fmt(o.date, { month: 'long', day: 'numeric', year: 'numeric' }))}</div>
          <div><span class="muted small">TOTAL</span><br>${money(o.total)}</div><div><span class="muted small">SHIP TO</span><br>${esc(o.shippingAddress.fullName)}</div>
          <div class="right"><span class="muted small">ORDER # ${esc(o.orderNumber)}</span></div></div>
        <div class="order-body"><h2 class="b">Arriving ${esc(o.delivery.arriving)}</h2>
          ${o.items.map((it) => `<div class="order-item">${pic(product(it.id), 'small')}<div><a href="/product/${it.id}" data-link>${esc(it.name)}</a><div class="muted small">Qty: ${it.quantity} · ${money(it.price)}</div>
            <button class="btn btn-yellow btn-sm" data-action="add" data-id="${it.id}">Buy it again</button></div></div>`).join('')}</div></section>`).join('')
        : '<section class="panel"><p>You have not placed any orders yet.</p><a href="/" data-link>Start shopping</a></section>'}
    </main>`;
  }

  function notFound() {
    return `<main class="panel"><h1>Sorry, we couldn't find that page</h1><a href="/" data-link>Go to the Omnizon home page</a></main>`;
  }

  // ---------- render ----------------------------------------------------------------------------
  function render() {
    const path = window.location.pathname;
    let body;
    let chrome = true;
    if (path === '/' || path === '/index.html') body = homePage();
    else if (path === '/search') body = searchPage();
    else if (path.startsWith('/product/')) body = productPage(decodeURIComponent(path.slice(9)));
    else if (path === '/cart') body = cartPage();
    else if (path === '/checkout') { body = checkoutPage(); chrome = false; }
    else if (path === '/confirmation') body = confirmationPage();
    else if (path === '/orders') body = ordersPage();
    else body = notFound();
    const root = $('#root');
    const active = document.activeElement && document.activeElement.name === 'q' ? document.activeElement : null;
    if (chrome) {
      root.innerHTML = header() + `<div class="page">${body}</div>` + footer();
    } else {
      const n = checkoutLines().reduce((s, x) => s + x.line.quantity, 0);
      root.innerHTML = `<header class="checkout-head"><a href="/" data-link class="logo dark" aria-label="Omnizon home"><span class="logo-text">omnizon</span><span class="logo-smile" aria-hidden="true"></span></a>
        <h1>Checkout (<a href="/cart" data-link>${n} ${n === 1 ? 'item' : 'items'}</a>)</h1><span class="lock" role="img" aria-label="Secure checkout"><svg viewBox="0 0 20 24" width="20" height="24"><rect x="2" y="10" width="16" height="13" rx="2" fill="#999"/><path d="M5 10V7a5 5 0 0 1 10 0v3" fill="none" stroke="#999" stroke-width="2.4"/></svg></span></header><div class="page">${body}</div>`;
    }
    root.removeAttribute('aria-busy');
    document.title = pageTitle(path);
    if (active) { const q = $('input[name=q]'); if (q) q.focus(); }
  }

  function pageTitle(path) {
    if (path === '/search') return `Omnizon.com : ${S().filter.searchQuery || S().filter.category}`;
    if (path.startsWith('/product/')) { const p = product(path.slice(9)); return p ? `Omnizon.com: ${p.name}` : 'Omnizon.com'; }
    if (path === '/cart') return 'Omnizon.com Shopping Cart';
    if (path === '/checkout') return 'Omnizon.com Checkout';
    if (path === '/confirmation') return 'Omnizon.com Thank You';
    if (path === '/orders') return 'Your Orders';
    return 'Omnizon.com. Spend less. Smile more.';
  }

  // ---------- events ----------------------------------------------------------------------------
  document.addEventListener('click', (e) => {
    const act = e.target.closest('[data-action]');
    if (act) {
      e.preventDefault();
      const a = act.dataset.action;
      const id = act.dataset.id;
      const st = S();
      if (a === 'add') addToCart(id, 1);
      else if (a === 'add-qty') addToCart(id, Number($('#qty').value) || 1);
      else if (a === 'buy-now') { st.cart.buyNow = { id, quantity: Number($('#qty').value) || 1 }; go('/checkout'); }
      else if (a === 'remove') { st.cart.cartItems = st.cart.cartItems.filter((it) => it.id !== id); commit(); toast('Item removed from your cart'); }
      else if (a === 'checkout') { st.cart.buyNow = null; go('/checkout'); }
      else if (a === 'place') placeOrder();
      else if (a === 'edit-addr') { ui.editAddress = !ui.editAddress; render(); }
      else if (a === 'edit-pay') { ui.editPayment = !ui.editPayment; render(); }
      else if (a === 'hero') { ui.heroIndex = (ui.heroIndex + Number(act.dataset.step) + HERO.length) % HERO.length; render(); }
      else if (a === 'cat') { st.filter.category = act.dataset.cat; commit(); }
      else if (a === 'brand') submitSearch(act.dataset.brand, 'All');
      else if (a === 'range') {
        st.filter.minPrice = act.dataset.lo === '' ? null : Number(act.dataset.lo);
        st.filter.maxPrice = act.dataset.hi === '' ? null : Number(act.dataset.hi);
        ui.priceMin = ''; ui.priceMax = '';
        commit();
      } else if (a === 'top') window.scrollTo(0, 0);
      return;
    }
    const link = e.target.closest('a[data-link]');
    if (link && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
      e.preventDefault();
      if (link.dataset.cat) {
        const f = S().filter;
        f.category = link.dataset.cat;
        f.searchQuery = '';
        f.searchInputValue = '';
        f.minPrice = null; f.maxPrice = null;
        go('/search?cat=' + encodeURIComponent(link.dataset.cat));
      } else {
        go(link.getAttribute('href'));
      }
    }
  });

  document.addEventListener('submit', (e) => {
    const form = e.target.closest('form[data-form]');
    if (!form) return;
    e.preventDefault();
    if (form.dataset.form === 'search') submitSearch(form.q.value, form.cat.value);
    else if (form.dataset.form === 'price') {
      const f = S().filter;
      const lo = form.min.value.trim();
      const hi = form.max.value.trim();
      f.minPrice = lo === '' ? null : Number(lo);
      f.maxPrice = hi === '' ? null : Number(hi);
      commit();
    }
  });

  document.addEventListener('change', (e) => {
    const el = e.target;
    const st = S();
    if (el.name === 'q') { st.filter.searchInputValue = el.value; H.save(); return; }
    const kind = el.dataset.change;
    if (!kind) return;
    if (kind === 'sort') st.filter.sortBy = el.value;
    else if (kind === 'qty') {
      const line = el.dataset.where === 'buynow' ? st.cart.buyNow : st.cart.cartItems.find((it) => it.id === el.dataset.id);
      if (line) line.quantity = Number(el.value);
    } else if (kind === 'delivery') st.order.selectedDelivery = el.value;
    else if (kind === 'addr') st.user.selectedAddressId = el.value;
    else if (kind === 'card') st.user.selectedPaymentId = el.value;
    commit();
  });

  document.addEventListener('input', (e) => {
    const el = e.target.closest('.price-form input');
    if (el) ui[el.name === 'min' ? 'priceMin' : 'priceMax'] = el.value;
  });

  // ---------- boot ------------------------------------------------------------------------------
  H.load().then(() => {
    if (syncRouter()) commit(); else render();
  });
})();
