// HALO accessibility tree: one pass over the (composed) DOM that gives every visible interactive or
// text-bearing element a stable data-halo-id and returns a compact BrowserGym-style text tree:
//   [12] button 'Send'
//   [15] textbox 'To' value='bob@x.com' focused
//   [20] StaticText 'Hello'            <- text of a plain <span>/<div>: the id is the element holding it
// Run by halo_lib/env/observation.py as page.evaluate(<this function>, options).
(options) => {
  const ID_ATTR = "data-halo-id";
  const MAX_NAME = (options && options.maxName) || 100;
  const MAX_TEXT = (options && options.maxText) || 200;

  const SKIP_TAGS = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "META", "LINK", "TITLE", "BR",
                             "IFRAME", "OBJECT", "EMBED", "SOURCE", "TRACK", "PARAM", "DATALIST"]);
  const INTERACTIVE_ROLES = new Set(["button", "link", "textbox", "searchbox", "combobox", "listbox", "option",
    "checkbox", "radio", "switch", "slider", "spinbutton", "tab", "menuitem", "menuitemcheckbox",
    "menuitemradio", "treeitem"]);
  // Roles whose accessible name is their text content: their own StaticText children would repeat it.
  const NAME_FROM_CONTENT = new Set(["button", "link", "heading", "option", "tab", "menuitem", "menuitemcheckbox",
    "menuitemradio", "treeitem", "cell", "columnheader", "rowheader", "checkbox", "radio", "switch", "LabelText",
    "tooltip", "generic", "legend", "caption"]);
  const TAG_ROLES = {
    BUTTON: "button", TEXTAREA: "textbox", OPTION: "option", NAV: "navigation", MAIN: "main",
    HEADER: "banner", FOOTER: "contentinfo", ASIDE: "complementary", FORM: "form", ARTICLE: "article",
    DIALOG: "dialog", UL: "list", OL: "list", MENU: "list", LI: "listitem", TABLE: "table", TR: "row",
    TD: "cell", TH: "columnheader", P: "paragraph", LABEL: "LabelText", SUMMARY: "button", DETAILS: "group",
    FIELDSET: "group", LEGEND: "legend", CAPTION: "caption", PROGRESS: "progressbar", METER: "meter",
    H1: "heading", H2: "heading", H3: "heading", H4: "heading", H5: "heading", H6: "heading",
    BLOCKQUOTE: "blockquote", CODE: "code", PRE: "code", DL: "list", DT: "term", DD: "definition",
  };
  const INPUT_ROLES = {
    checkbox: "checkbox", radio: "radio", button: "button", submit: "button", reset: "button", image: "button",
    file: "button", range: "slider", number: "spinbutton", search: "searchbox",
  };

  // Ids stay stable across calls: elements keep their attribute; new ones continue the page's counter.
  const state = window.__haloAxtree || (window.__haloAxtree = { next: 1 });
  if (!state.scanned) {
    for (const el of document.querySelectorAll(`[${ID_ATTR}]`)) {
      const n = parseInt(el.getAttribute(ID_ATTR), 10);
      if (n >= state.next) state.next = n + 1;
    }
    state.scanned = true;
  }
  // Attributes are written after the walk: a write between style reads would force a style recalc each time.
  const seenIds = new Set();
  const pendingIds = [];
  const assigned = new Map();
  function idFor(el) {
    if (assigned.has(el)) return assigned.get(el);
    let id = el.getAttribute(ID_ATTR);
    if (!id || seenIds.has(id)) {  // new element, or a clone that copied another's id
      id = String(state.next++);
      pendingIds.push([el, id]);
    }
    seenIds.add(id);
    assigned.set(el, id);
    return id;
  }

  function deepActiveElement() {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el;
  }
  const focused = deepActiveElement();

  const collapse = (s) => (s || "").replace(/\s+/g, " ").trim();
  const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  const quote = (s) => "'" + s.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";

  function roleOf(el) {
    const explicit = (el.getAttribute("role") || "").trim().split(/\s+/)[0];
    if (explicit === "presentation" || explicit === "none") return "generic";
    if (explicit) return explicit;
    const tag = el.tagName;
    if (tag === "A") return el.hasAttribute("href") ? "link" : "generic";
    if (tag === "INPUT") {
      const type = (el.getAttribute("type") || "text").toLowerCase();
      return type === "hidden" ? null : (INPUT_ROLES[type] || "textbox");
    }
    if (tag === "SELECT") return el.multiple || el.size > 1 ? "listbox" : "combobox";
    if (tag === "IMG") return el.getAttribute("alt") === "" ? null : "img";  // alt="" marks it decorative
    if (tag === "SVG" || tag === "svg") return el.getAttribute("aria-label") || el.querySelector("title") ? "img" : null;
    if (tag === "SECTION") return el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby") ? "region" : "generic";
    if (el.isContentEditable && el.hasAttribute("contenteditable")) return "textbox";
    return TAG_ROLES[tag] || "generic";
  }

  // Text content with a space between text nodes ("Row one" + "2 PM" -> "Row one 2 PM"), scripts skipped.
  function textOf(el) {
    const parts = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const tag = n.parentNode && n.parentNode.tagName;
      if (tag !== "SCRIPT" && tag !== "STYLE") parts.push(n.data);
      if (parts.length > 200) break;  // names are clipped anyway
    }
    return collapse(parts.join(" "));
  }

  function labelledByText(el) {
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    const root = el.getRootNode();
    return collapse(ids.map((id) => {
      const ref = (root.getElementById ? root.getElementById(id) : null) || document.getElementById(id);
      return ref ? (ref.getAttribute("aria-label") || ref.textContent) : "";
    }).join(" "));
  }

  function nameOf(el, role) {
    const byIds = labelledByText(el);
    if (byIds) return byIds;
    const aria = collapse(el.getAttribute("aria-label"));
    if (aria) return aria;
    const tag = el.tagName;
    if (el.labels && el.labels.length) {
      const text = collapse(Array.from(el.labels, (l) => l.textContent).join(" "));
      if (text) return text;
    }
    if (tag === "IMG" || (tag === "INPUT" && el.type === "image")) {
      const alt = collapse(el.getAttribute("alt"));
      if (alt) return alt;
    }
    if (tag === "INPUT" && ["submit", "button", "reset"].includes(el.type)) {
      return collapse(el.value) || (el.type === "reset" ? "Reset" : el.type === "submit" ? "Submit" : "");
    }
    if (tag === "SVG" || tag === "svg") {
      const title = el.querySelector("title");
      if (title) return collapse(title.textContent);
    }
    if (tag === "FIELDSET") {
      const legend = el.querySelector(":scope > legend");
      if (legend) return textOf(legend);
    }
    if (tag === "TABLE" && el.caption) return textOf(el.caption);
    if (NAME_FROM_CONTENT.has(role)) {
      const text = textOf(el);
      if (text) return text;
    }
    return collapse(el.getAttribute("placeholder") || el.getAttribute("aria-placeholder") || el.getAttribute("title"));
  }

  function valueOf(el, role) {
    const tag = el.tagName;
    if (tag === "SELECT") return collapse(Array.from(el.selectedOptions, (o) => o.textContent).join(", "));
    if (tag === "TEXTAREA" || (tag === "INPUT" && ["textbox", "searchbox", "spinbutton", "slider"].includes(role))) {
      return el.type === "password" ? "•".repeat(el.value.length) : el.value;
    }
    if (role === "textbox" && el.isContentEditable) return collapse(el.innerText);
    const aria = el.getAttribute("aria-valuenow");
    return aria === null ? null : aria;
  }

  function statesOf(el, role) {
    const states = [];
    if (role === "heading") {
      const level = el.getAttribute("aria-level") || (/^H[1-6]$/.test(el.tagName) ? el.tagName[1] : null);
      if (level) states.push(`level=${level}`);
    }
    const checked = el.tagName === "INPUT" && (el.type === "checkbox" || el.type === "radio")
      ? (el.indeterminate ? "mixed" : String(el.checked)) : el.getAttribute("aria-checked");
    if (checked === "true") states.push("checked");
    else if (checked === "mixed") states.push("checked=mixed");
    else if (checked === "false" && role !== "generic") states.push("checked=false");
    if ((el.tagName === "OPTION" && el.selected) || el.getAttribute("aria-selected") === "true") states.push("selected");
    const expanded = el.getAttribute("aria-expanded");
    if (expanded !== null) states.push(`expanded=${expanded}`);
    else if (el.tagName === "SUMMARY" && el.parentElement && el.parentElement.tagName === "DETAILS") {
      states.push(`expanded=${el.parentElement.open}`);
    }
    if (el.disabled || el.getAttribute("aria-disabled") === "true") states.push("disabled");
    if (el.required || el.getAttribute("aria-required") === "true") states.push("required");
    if (el === focused) states.push("focused");
    return states;
  }

  // An element that reacts to clicks only through a script handler: the pointer cursor starts on it
  // (cursor is inherited, so its children show a pointer too without being separate targets).
  function looksClickable(el, cursor, parentCursor) {
    if (el.hasAttribute("onclick") || (el.tabIndex >= 0 && el.hasAttribute("tabindex"))) return true;
    return cursor === "pointer" && parentCursor !== "pointer";
  }

  const lines = [];
  const emit = (depth, text) => lines.push("  ".repeat(depth) + text);

  // Children in the composed (flat) tree: a shadow host shows its shadow root; a slot shows what is slotted.
  function childrenOf(node) {
    if (node.shadowRoot) return node.shadowRoot.childNodes;
    if (node.tagName === "SLOT") {
      const assigned = node.assignedNodes({ flatten: true });
      return assigned.length ? assigned : node.childNodes;
    }
    return node.childNodes;
  }

  // ctx: depth; inName: text is already part of an ancestor's printed name; inInteractive: inside a control
  // (its parts are not separate targets); parentCursor; hiddenText: the parent is visibility:hidden;
  // textHolder: the plain element whose own text nodes these are.
  function walk(node, ctx) {
    if (node.nodeType === Node.TEXT_NODE) {
      if (ctx.inName || ctx.hiddenText) return;
      const text = collapse(node.data);
      if (!text) return;
      const holder = ctx.textHolder;  // a generic element holding the text: its id makes the text clickable
      emit(ctx.depth, (holder ? `[${idFor(holder)}] ` : "") + "StaticText " + quote(clip(text, MAX_TEXT)));
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return;
    if (node.nodeType === Node.DOCUMENT_FRAGMENT_NODE) {
      for (const child of node.childNodes) walk(child, ctx);
      return;
    }
    const el = node;
    if (SKIP_TAGS.has(el.tagName.toUpperCase())) return;
    if (el.getAttribute("aria-hidden") === "true") return;
    if (!el.checkVisibility()) return;  // display:none here or above: nothing below can show
    // visibility:hidden is inherited but a child may override it, so only this element's own text is hidden.
    const hiddenSelf = !el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });

    const role = roleOf(el);
    if (role === null) return;
    const cursor = getComputedStyle(el).cursor;
    const clickable = !ctx.inInteractive && !INTERACTIVE_ROLES.has(role) && looksClickable(el, cursor, ctx.parentCursor);
    const semantic = role !== "generic" || clickable;

    if (hiddenSelf || !semantic) {
      // Not printed itself; a plain element with its own text lends its id to that text.
      let ownText = false;
      if (!hiddenSelf && !ctx.inName) {
        for (const child of el.childNodes) {
          if (child.nodeType === Node.TEXT_NODE && collapse(child.data)) { ownText = true; break; }
        }
      }
      const childCtx = { ...ctx, parentCursor: cursor, hiddenText: hiddenSelf, textHolder: ownText ? el : null };
      for (const child of childrenOf(el)) walk(child, childCtx);
      return;
    }

    const name = clip(nameOf(el, role), MAX_NAME);
    let line = `[${idFor(el)}] ${role}` + (name || INTERACTIVE_ROLES.has(role) ? " " + quote(name) : "");
    const value = valueOf(el, role);
    if (value !== null && value !== undefined && value !== "" && value !== name) {
      line += " value=" + quote(clip(collapse(String(value)), MAX_NAME));
    }
    const states = statesOf(el, role);
    if (clickable) states.push("clickable");
    if (states.length) line += " " + states.join(" ");
    emit(ctx.depth, line);

    const nameCoversText = NAME_FROM_CONTENT.has(role) && name && !el.getAttribute("aria-label")
      && !el.getAttribute("aria-labelledby");
    if (el.tagName === "SELECT" || role === "img") return;  // options are summarised in value=; images have no parts
    const childCtx = { depth: ctx.depth + 1, inName: ctx.inName || nameCoversText || role === "textbox",
                       inInteractive: ctx.inInteractive || clickable || INTERACTIVE_ROLES.has(role),
                       parentCursor: cursor, hiddenText: false, textHolder: null };
    for (const child of childrenOf(el)) walk(child, childCtx);
  }

  const rootCursor = document.body ? getComputedStyle(document.body).cursor : "auto";
  if (document.body) {
    for (const child of childrenOf(document.body)) {
      walk(child, { depth: 0, inName: false, inInteractive: false, parentCursor: rootCursor, hiddenText: false,
                    textHolder: null });
    }
  }
  for (const [el, id] of pendingIds) el.setAttribute(ID_ATTR, id);
  return lines.join("\n");
}
