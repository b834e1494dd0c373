// Shared client for every local site: load the session's state, save it after each change,
// and read the site's fixed clock. Sites keep their whole app state in HaloSite.state.
(function () {
  const HaloSite = {
    state: null,
    clock: null,
    taskId: null,
    async load() {
      const r = await fetch('/api/state', { cache: 'no-store' });
      const j = await r.json();
      this.state = j.state;
      this.clock = j.clock;
      this.taskId = j.task_id;
      return this.state;
    },
    inflight: 0,
    // True when no save is in flight: drivers (oracles, the environment) wait for it before /finish.
    idle() {
      return this.state !== null && this.inflight === 0;
    },
    // Persist the whole state; resolves once the server holds it (so /finish sees it).
    async save() {
      this.inflight++;
      try {
        return await this._post();
      } finally {
        this.inflight--;
      }
    },
    async _post() {
      this._pending = fetch('/api/state', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ state: this.state }),
      });
      const r = await this._pending;
      if (!r.ok) console.error('save failed', r.status, await r.text());
      return r.ok;
    },
    // The site's "now" as a Date (a real instant; format it in HaloSite.clock.timezone).
    now() {
      return new Date(this.clock.now_utc);
    },
    // Format an instant in the site's own time zone, e.g. fmt(d, {hour: 'numeric', minute: '2-digit'}).
    fmt(date, options) {
      return new Intl.DateTimeFormat('en-US', Object.assign({ timeZone: this.clock.timezone }, options)).format(
        typeof date === 'string' ? new Date(date) : date
      );
    },
    // Parts of an instant in the site's zone: {year, month (1-12), day, hour, minute, weekday (0=Sun)}.
    parts(date) {
      const d = typeof date === 'string' ? new Date(date) : date;
      const p = {};
      for (const { type, value } of new Intl.DateTimeFormat('en-US', {
        timeZone: this.clock.timezone, year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', hourCycle: 'h23', weekday: 'short',
      }).formatToParts(d)) p[type] = value;
      const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday);
      return { year: +p.year, month: +p.month, day: +p.day, hour: +p.hour, minute: +p.minute, weekday: wd };
    },
    // The UTC instant of a wall-clock time in the site's zone: toUtc(2024, 9, 20, 19, 45) -> Date.
    toUtc(year, month, day, hour = 0, minute = 0) {
      let guess = Date.UTC(year, month - 1, day, hour, minute);
      for (let i = 0; i < 3; i++) { // fixed-point on the zone offset (handles DST)
        const p = this.parts(new Date(guess));
        const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
        guess += Date.UTC(year, month - 1, day, hour, minute) - shown;
      }
      return new Date(guess);
    },
    // ISO string without milliseconds, 2024-09-21T02:45:00Z (the form REAL stores).
    iso(date) {
      return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
    },
  };
  window.HaloSite = HaloSite;
})();
