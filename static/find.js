// trendsite: sort, filter and search the index page's company table.
//
// An enhancement only: the served table is complete, and the controls stay
// `hidden` until the data (data/find.json) has loaded. Rows are matched to
// it by data-slug and moved or hidden, never rebuilt, so a site's own
// company_row.html keeps working. The view lives in the URL query.
(function () {
  "use strict";
  const table = document.querySelector("table[data-companies]");
  const form = document.getElementById("company-find");
  if (!table || !form || !table.tBodies[0]) return;

  const tbody = table.tBodies[0];
  const heads = [...table.querySelectorAll("th[data-sort]")];
  const count = form.querySelector("[aria-live]");
  const empty = document.getElementById("company-find-empty");
  const FILTERS = ["packaging", "mechanic", "category"];
  const FIELDS = ["q"].concat(FILTERS);
  const COLUMNS = ["name", "category", "packaging", "mechanic"];
  const DEFAULTS = { q: "", packaging: "", mechanic: "", category: "", sort: "name", dir: "asc" };
  const collator = new Intl.Collator(document.documentElement.lang || undefined, { numeric: true });
  const entries = []; // rows matched to a company
  const loose = []; // rows without a known slug: always shown, kept last
  let state = DEFAULTS;
  let order = ""; // the sort the rows are in: filtering alone moves none
  let timer = 0;

  // Lower case without accents, so "emile" finds "Émile".
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

  function matchRows(companies) {
    const bySlug = new Map(companies.map((c) => [c.slug, c]));
    for (const row of tbody.rows) {
      const c = bySlug.get(row.dataset.slug);
      if (!c) {
        loose.push(row);
        continue;
      }
      const m = c.metering || { mechanic: "none" };
      const keys = { name: c.name, category: c.category, packaging: c.ai_packaging, mechanic: m.mechanic };
      entries.push({ row, keys, text: fold(c.name + "\n" + (m.note || "")), shown: !row.hidden });
    }
    // Ties in other columns fall back to this rank, so a URL gives everyone
    // the same order.
    entries.sort((a, b) => collator.compare(a.keys.name, b.keys.name));
    entries.forEach((e, i) => (e.rank = i));
  }

  // Options with counts, from the rows actually in the table.
  function fillSelect(name) {
    const counts = new Map();
    for (const e of entries) counts.set(e.keys[name], (counts.get(e.keys[name]) || 0) + 1);
    for (const v of [...counts.keys()].sort(collator.compare)) {
      form.elements[name].add(new Option(v + " (" + counts.get(v) + ")", v));
    }
  }

  // A button in the th, for keyboards and screen readers; the stylesheet
  // draws the arrow from the th's aria-sort.
  function addSortButton(th) {
    const column = th.dataset.sort;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.append(...th.childNodes);
    th.append(button);
    button.addEventListener("click", () => {
      const flip = state.sort === column && state.dir === "asc";
      update({ sort: column, dir: flip ? "desc" : "asc" });
    });
  }

  function readUrl() {
    const params = new URLSearchParams(location.search);
    const s = {};
    for (const k in DEFAULTS) s[k] = params.get(k) || DEFAULTS[k];
    // A value no option offers would hide rows with nothing saying why.
    for (const k of FILTERS) {
      if (![...form.elements[k].options].some((o) => o.value === s[k])) s[k] = "";
    }
    if (!COLUMNS.includes(s.sort)) s.sort = DEFAULTS.sort;
    if (s.dir !== "desc") s.dir = "asc";
    return s;
  }

  // Only keys that differ from the default; other parameters stay.
  function writeUrl() {
    const params = new URLSearchParams(location.search);
    for (const k in DEFAULTS) {
      if (state[k] === DEFAULTS[k]) params.delete(k);
      else params.set(k, state[k]);
    }
    const query = params.toString();
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  // Stable, and one append of a fragment: 10,000 rows are laid out once.
  function reorder() {
    const dir = state.dir === "desc" ? -1 : 1;
    const key = state.sort;
    entries.sort((a, b) => dir * collator.compare(a.keys[key], b.keys[key]) || a.rank - b.rank);
    // Rows already in order, as served by name, stay: a move makes the
    // browser lay out every row again.
    if (entries.every((e, i) => tbody.rows[i] === e.row)) return;
    const fragment = document.createDocumentFragment();
    for (const e of entries) fragment.append(e.row);
    for (const row of loose) fragment.append(row);
    tbody.append(fragment);
  }

  function render() {
    if (order !== state.sort + state.dir) reorder();
    order = state.sort + state.dir;
    const q = fold(state.q.trim());
    let shown = loose.length;
    for (const e of entries) {
      const match = e.text.includes(q) && FILTERS.every((k) => !state[k] || e.keys[k] === state[k]);
      if (match) shown++;
      // Only rows that change are touched, so a keystroke restyles few.
      if (match !== e.shown) e.row.hidden = !match;
      e.shown = match;
    }
    for (const th of heads) {
      if (th.dataset.sort !== state.sort) th.removeAttribute("aria-sort");
      else th.setAttribute("aria-sort", state.dir === "desc" ? "descending" : "ascending");
    }
    const total = entries.length + loose.length;
    const text = shown + " of " + total + (total === 1 ? " company" : " companies");
    // The same text set again would be announced again.
    if (count && count.textContent !== text) count.textContent = text;
    if (empty) empty.hidden = shown > 0;
  }

  function update(changes) {
    state = Object.assign({}, state, changes);
    render();
    writeUrl();
  }

  function fromForm() {
    const s = {};
    for (const k of FIELDS) s[k] = form.elements[k].value;
    update(s);
  }

  // A form missing a field throws here, before anything is shown.
  // data/find.json names its columns once and gives each company as an
  // array; a site's own index.html may still point at companies.json,
  // whose companies are objects already.
  function companiesOf(data) {
    if (!Array.isArray(data.fields)) return data.companies;
    return data.companies.map((row) => {
      const c = Object.fromEntries(data.fields.map((f, i) => [f, row[i]]));
      return { slug: c.slug, name: c.name, category: c.category, ai_packaging: c.ai_packaging, metering: { mechanic: c.mechanic, note: c.note } };
    });
  }

  function start(data) {
    matchRows(companiesOf(data));
    FILTERS.forEach(fillSelect);
    state = readUrl();
    for (const k of FIELDS) form.elements[k].value = state[k];
    heads.filter((th) => COLUMNS.includes(th.dataset.sort)).forEach(addSortButton);
    update({});
    // Typing waits for a pause; a select applies at once.
    form.addEventListener("input", (event) => {
      clearTimeout(timer);
      timer = setTimeout(fromForm, event.target.type === "search" ? 100 : 0);
    });
    // "reset" comes before the fields are cleared: read them just after.
    form.addEventListener("reset", () => setTimeout(fromForm, 0));
    form.addEventListener("submit", (event) => event.preventDefault());
    form.hidden = false;
    table.dataset.findState = "ready";
  }

  // Without the data, the table stays as served and the controls hidden.
  fetch(table.dataset.companies)
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status + " " + r.url))))
    .then(start)
    .catch((err) => {
      table.dataset.findState = "failed";
      console.warn("find.js: the table stays as served:", err);
    });
})();
