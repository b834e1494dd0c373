// Product pictures drawn as inline SVG (no remote images): art(kind, color) -> <svg> markup.
(function () {
  const S = (c) => c; // readability helper
  const shapes = {
    controller: (c) => `<path d="M22 38c6-8 50-8 56 0 8 12 14 34 6 40-6 4-12-2-18-10H34c-6 8-12 14-18 10-8-6-2-28 6-40z" fill="${c}"/>
      <circle cx="34" cy="50" r="6" fill="#0b0b0b" opacity=".55"/><circle cx="62" cy="58" r="5" fill="#0b0b0b" opacity=".55"/>
      <circle cx="68" cy="44" r="2.6" fill="#60a5fa"/><circle cx="74" cy="49" r="2.6" fill="#f87171"/><circle cx="62" cy="49" r="2.6" fill="#f472b6"/><circle cx="68" cy="54" r="2.6" fill="#34d399"/>
      <rect x="44" y="38" width="12" height="6" rx="2" fill="#9ca3af"/>`,
    headphones: (c) => `<path d="M22 60V48a28 28 0 0 1 56 0v12" fill="none" stroke="${c}" stroke-width="7" stroke-linecap="round"/>
      <rect x="14" y="54" width="16" height="26" rx="7" fill="${c}"/><rect x="70" y="54" width="16" height="26" rx="7" fill="${c}"/>
      <rect x="18" y="58" width="8" height="18" rx="4" fill="#000" opacity=".25"/><rect x="74" y="58" width="8" height="18" rx="4" fill="#000" opacity=".25"/>`,
    headset: (c) => shapes.headphones(c) + `<path d="M24 78q6 10 22 8" fill="none" stroke="#374151" stroke-width="3"/><circle cx="47" cy="86" r="3" fill="#374151"/>`,
    earbuds: (c) => `<rect x="26" y="40" width="48" height="34" rx="14" fill="${c}" stroke="#d1d5db" stroke-width="2"/>
      <line x1="28" y1="52" x2="72" y2="52" stroke="#d1d5db" stroke-width="2"/><circle cx="50" cy="64" r="2" fill="#9ca3af"/>
      <path d="M34 20c8 0 10 8 6 14l-2 14" stroke="#e5e7eb" stroke-width="5" fill="none" stroke-linecap="round"/>
      <path d="M66 20c-8 0-10 8-6 14l2 14" stroke="#e5e7eb" stroke-width="5" fill="none" stroke-linecap="round"/>`,
    mouse: (c) => `<rect x="32" y="18" width="36" height="64" rx="18" fill="${c}"/><line x1="50" y1="20" x2="50" y2="42" stroke="#064e3b" stroke-width="2"/>
      <rect x="47" y="28" width="6" height="10" rx="3" fill="#064e3b"/>`,
    monitor: (c) => `<rect x="12" y="22" width="76" height="46" rx="3" fill="${c}"/><rect x="16" y="26" width="68" height="38" fill="#3b82f6" opacity=".55"/>
      <rect x="46" y="68" width="8" height="10" fill="#374151"/><rect x="32" y="78" width="36" height="5" rx="2" fill="#374151"/>`,
    console: (c) => `<path d="M38 12h24l6 76H32z" fill="${c}" stroke="#cbd5e1" stroke-width="2"/><rect x="46" y="14" width="8" height="72" fill="#111827"/>`,
    speaker: (c) => `<rect x="14" y="30" width="72" height="42" rx="12" fill="${c}"/><circle cx="34" cy="51" r="11" fill="#000" opacity=".35"/>
      <circle cx="66" cy="51" r="11" fill="#000" opacity=".35"/><rect x="40" y="33" width="20" height="4" rx="2" fill="#d4a017"/>`,
    phone: (c) => `<rect x="32" y="10" width="36" height="80" rx="7" fill="${c}"/><rect x="35" y="16" width="30" height="66" rx="3" fill="#1e3a8a"/>
      <circle cx="50" cy="86" r="2" fill="#9ca3af"/><path d="M35 60l12-14 8 8 10-12v40H35z" fill="#60a5fa" opacity=".6"/>`,
    watch: (c) => `<rect x="40" y="8" width="20" height="84" rx="4" fill="${c}"/><circle cx="50" cy="50" r="20" fill="${c}" stroke="#78350f" stroke-width="3"/>
      <circle cx="50" cy="50" r="15" fill="#1f2937"/><line x1="50" y1="50" x2="50" y2="40" stroke="#fde68a" stroke-width="2"/><line x1="50" y1="50" x2="58" y2="52" stroke="#fde68a" stroke-width="2"/>`,
    jeans: (c) => `<path d="M30 12h40l6 78H56l-6-50-6 50H24z" fill="${c}"/><line x1="30" y1="20" x2="70" y2="20" stroke="#93c5fd" stroke-width="2"/>`,
    apron: (c) => `<path d="M38 14h24v14l14 8v52H24V36l14-8z" fill="${c}"/><path d="M38 14q12-10 24 0" fill="none" stroke="${c}" stroke-width="3"/>
      <rect x="34" y="56" width="32" height="14" rx="2" fill="#fff" opacity=".15"/><line x1="24" y1="38" x2="8" y2="46" stroke="${c}" stroke-width="3"/><line x1="76" y1="38" x2="92" y2="46" stroke="${c}" stroke-width="3"/>`,
    stockpot: (c) => `<rect x="22" y="34" width="56" height="50" rx="4" fill="${c}"/><rect x="18" y="28" width="64" height="8" rx="3" fill="#6b7280"/>
      <rect x="44" y="20" width="12" height="8" rx="3" fill="#374151"/><rect x="8" y="42" width="14" height="6" rx="3" fill="#6b7280"/><rect x="78" y="42" width="14" height="6" rx="3" fill="#6b7280"/>
      <rect x="26" y="38" width="6" height="42" fill="#fff" opacity=".35"/>`,
    dutchoven: (c) => `<path d="M18 44h64v22a18 18 0 0 1-18 18H36a18 18 0 0 1-18-18z" fill="${c}"/><path d="M16 44a34 14 0 0 1 68 0z" fill="${c}" opacity=".85"/>
      <rect x="44" y="24" width="12" height="8" rx="3" fill="#d1d5db"/><rect x="8" y="48" width="12" height="8" rx="3" fill="${c}"/><rect x="80" y="48" width="12" height="8" rx="3" fill="${c}"/>`,
    pan: (c) => `<ellipse cx="40" cy="56" rx="28" ry="22" fill="${c}"/><ellipse cx="40" cy="54" rx="22" ry="16" fill="#4b5563"/>
      <rect x="64" y="50" width="32" height="7" rx="3" fill="#111827" transform="rotate(-12 64 54)"/>`,
    kettle: (c) => `<path d="M28 40h44l6 42H22z" fill="${c}"/><path d="M30 40q20-24 40 0" fill="none" stroke="#111827" stroke-width="5"/>
      <path d="M22 60l-12-14" stroke="${c}" stroke-width="7" stroke-linecap="round"/>`,
    appliance: (c) => `<rect x="22" y="16" width="56" height="70" rx="8" fill="${c}"/><rect x="30" y="26" width="40" height="26" rx="4" fill="#111827" opacity=".6"/>
      <circle cx="50" cy="66" r="8" fill="#9ca3af"/><rect x="30" y="80" width="40" height="4" fill="#000" opacity=".3"/>`,
    silverware: (c) => `<g fill="${c}" stroke="#64748b" stroke-width="1.5"><path d="M26 12v24q0 6 4 8v44h6V44q4-2 4-8V12h-3v20h-2V12h-3v20h-2V12z"/>
      <ellipse cx="52" cy="24" rx="8" ry="12"/><rect x="49" y="34" width="6" height="54" rx="2"/>
      <path d="M70 12q10 8 8 40h-4v36h-6z"/></g>`,
    plates: (c) => `<circle cx="50" cy="50" r="36" fill="${c}" stroke="#cbd5e1" stroke-width="2"/><circle cx="50" cy="50" r="24" fill="#fff" stroke="#e5e7eb" stroke-width="2"/>
      <circle cx="50" cy="50" r="36" fill="none" stroke="#60a5fa" stroke-width="2" stroke-dasharray="3 5"/>`,
    bowl: (c) => `<path d="M12 40h76a38 38 0 0 1-76 0z" fill="${c}" stroke="#9ca3af" stroke-width="2"/><g fill="#9ca3af"><circle cx="36" cy="52" r="1.5"/><circle cx="50" cy="56" r="1.5"/><circle cx="64" cy="52" r="1.5"/></g>`,
    neckpillow: (c) => `<path d="M50 18a32 32 0 1 0 20 58l-8-12a18 18 0 1 1-24 0l-8 12" fill="none" stroke="${c}" stroke-width="18" stroke-linecap="round"/>`,
    contourpillow: (c) => `<path d="M12 48q0-16 18-16q10 0 20 8q10-8 20-8q18 0 18 16v16q0 10-10 10H22q-10 0-10-10z" fill="${c}" stroke="#9ca3af" stroke-width="2"/>`,
    pillow: (c) => `<path d="M14 30q36-10 72 0q6 20 0 40q-36 10-72 0q-6-20 0-40z" fill="${c}" stroke="#cbd5e1" stroke-width="2"/>`,
    cushion: (c) => `<rect x="18" y="26" width="64" height="48" rx="18" fill="${c}"/><line x1="18" y1="50" x2="4" y2="50" stroke="${c}" stroke-width="3"/><line x1="82" y1="50" x2="96" y2="50" stroke="${c}" stroke-width="3"/>`,
    bed: (c) => `<rect x="10" y="54" width="80" height="8" fill="${c}"/><rect x="10" y="26" width="6" height="50" fill="${c}"/><rect x="84" y="44" width="6" height="32" fill="${c}"/>
      <g stroke="${c}" stroke-width="2"><line x1="30" y1="62" x2="30" y2="76"/><line x1="50" y1="62" x2="50" y2="76"/><line x1="70" y1="62" x2="70" y2="76"/></g><rect x="16" y="34" width="4" height="20" fill="${c}"/>`,
    mattress: (c) => `<path d="M10 44l20-14h60l-20 14z" fill="#fff" stroke="#d1d5db"/><rect x="10" y="44" width="60" height="24" fill="${c}"/><path d="M70 44l20-14v24l-20 14z" fill="${c}" opacity=".7"/>`,
    sheets: (c) => `<rect x="16" y="56" width="68" height="14" rx="2" fill="${c}"/><rect x="20" y="42" width="60" height="14" rx="2" fill="${c}" opacity=".8"/><rect x="24" y="28" width="52" height="14" rx="2" fill="${c}" opacity=".6"/>`,
    desk: (c) => `<rect x="8" y="34" width="84" height="8" rx="1" fill="${c}"/><rect x="12" y="42" width="4" height="40" fill="#111827"/><rect x="84" y="42" width="4" height="40" fill="#111827"/>
      <rect x="12" y="70" width="76" height="3" fill="#111827"/>`,
    chair: (c) => `<rect x="32" y="10" width="36" height="40" rx="10" fill="${c}"/><rect x="26" y="50" width="48" height="10" rx="4" fill="${c}"/>
      <rect x="47" y="60" width="6" height="16" fill="#4b5563"/><path d="M28 86l22-10 22 10" stroke="#4b5563" stroke-width="4" fill="none"/><circle cx="28" cy="88" r="3"/><circle cx="72" cy="88" r="3"/>`,
    box: (c) => `<path d="M50 14l34 16v40L50 86 16 70V30z" fill="${c}"/><path d="M16 30l34 16 34-16M50 46v40" stroke="#fff" stroke-opacity=".4" stroke-width="2" fill="none"/>`,
    balls: (c) => `<circle cx="32" cy="62" r="18" fill="${c}"/><path d="M14 62h36M32 44v36" stroke="#111827" stroke-width="1.5"/>
      <circle cx="66" cy="64" r="16" fill="#fff" stroke="#111827" stroke-width="1.5"/><path d="M66 56l7 5-3 8h-8l-3-8z" fill="#111827"/>
      <ellipse cx="50" cy="32" rx="16" ry="10" fill="#7c2d12" transform="rotate(-20 50 32)"/><circle cx="78" cy="34" r="10" fill="#facc15"/>`,
    basketball: (c) => `<circle cx="50" cy="50" r="34" fill="${c}"/><path d="M16 50h68M50 16v68M26 26q14 24 0 48M74 26q-14 24 0 48" stroke="#111827" stroke-width="2" fill="none"/>`,
    football: (c) => `<ellipse cx="50" cy="50" rx="38" ry="22" fill="${c}" transform="rotate(-25 50 50)"/><path d="M36 56l28-12" stroke="#fff" stroke-width="3"/>
      <g stroke="#fff" stroke-width="2"><line x1="42" y1="50" x2="45" y2="57"/><line x1="49" y1="47" x2="52" y2="54"/><line x1="56" y1="44" x2="59" y2="51"/></g>`,
    bag: (c) => `<rect x="12" y="38" width="76" height="40" rx="18" fill="${c}"/><path d="M34 38q16-20 32 0" stroke="#4b5563" stroke-width="4" fill="none"/><line x1="24" y1="50" x2="76" y2="50" stroke="#e5e7eb" stroke-width="2"/>`,
  };
  window.productArt = function (kind, color) {
    const f = shapes[kind] || shapes.box;
    return `<svg viewBox="0 0 100 100" class="art" aria-hidden="true" focusable="false">${f(S(color || '#9ca3af'))}</svg>`;
  };
})();
