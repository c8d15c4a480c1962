// The dwelltime page: a thin client of the public REST API (docs/web.md). Plain JS, no build.
"use strict";

(() => {
  const TOKEN_KEY = "dwelltime.token";
  const PAGE_SIZE = 10;
  const REFRESH_MS = 1000;
  const SVG = "http://www.w3.org/2000/svg";
  const ACTIVE = new Set(["Queued", "Running"]);

  const $ = (id) => document.getElementById(id);
  const companions = JSON.parse(document.body.dataset.companions);

  let token = sessionStorage.getItem(TOKEN_KEY);
  let page = 0;
  let timer = null;
  let summary = null;
  let paramSets = new Map();
  // Exports started from this tab: their summary opens when they finish.
  const startedHere = new Set();

  class ApiError extends Error {
    constructor(status, body) {
      super(body.message);
      this.status = status;
      this.messages = body.messages || [];
    }
  }

  async function api(path, options = {}) {
    const headers = { Authorization: `TISJWT ${token}`, ...(options.headers || {}) };
    const response = await fetch(path, { ...options, headers });
    if (response.ok) return response;
    let body;
    try {
      body = await response.json();
    } catch {
      body = { message: `The server answered ${response.status}.`, messages: [] };
    }
    throw new ApiError(response.status, body);
  }

  const getJson = async (path) => (await api(path)).json();

  function announce(text) {
    $("announce").textContent = text;
  }

  // ---- formatting ----------------------------------------------------------------------

  function duration(ms) {
    if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "";
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
  }

  function bytes(size) {
    if (size === null || size === undefined) return "";
    if (size < 1024) return `${size} B`;
    if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
    return `${(size / 1024 / 1024).toFixed(1)} MB`;
  }

  function number(value) {
    if (value === null || value === undefined) return "–";
    return value.toLocaleString("en", { maximumFractionDigits: 2 });
  }

  function userOf(jwt) {
    try {
      const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part)).sub || "";
    } catch {
      return "";
    }
  }

  // ---- sign in -------------------------------------------------------------------------

  async function signIn(candidate) {
    token = candidate;
    await getJson("/rest/export?pageSize=1"); // throws ApiError 401 for a bad token
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token-error").textContent = "";
    $("token").removeAttribute("aria-invalid");
    $("sign-in-section").hidden = true;
    $("app").hidden = false;
    $("session").hidden = false;
    $("signed-in-as").textContent = `Signed in as ${userOf(token) || "(unknown user)"}`;
    await loadPickers();
    await refresh();
    timer = setInterval(refresh, REFRESH_MS);
  }

  function signOut(reason) {
    clearInterval(timer);
    timer = null;
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $("app").hidden = true;
    $("session").hidden = true;
    $("sign-in-section").hidden = false;
    $("exports").tBodies[0].replaceChildren();
    $("summary").hidden = true;
    $("token").value = "";
    $("token-error").textContent = reason || "";
    $("token").focus();
  }

  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    const candidate = $("token").value.trim();
    if (!candidate) {
      $("token-error").textContent = "Paste a token first.";
      $("token").setAttribute("aria-invalid", "true");
      return;
    }
    try {
      await signIn(candidate);
      announce("Signed in.");
      $("filterType").focus();
    } catch (error) {
      token = null;
      $("token").setAttribute("aria-invalid", "true");
      $("token-error").textContent =
        error instanceof ApiError
          ? [error.message, ...error.messages].join(" ")
          : `The server could not be reached (${error.message}).`;
    }
  });

  $("sign-out").addEventListener("click", () => signOut("Signed out."));

  // ---- the form --------------------------------------------------------------------------

  function fill(select, items, option) {
    const keep = select.querySelector('option[value=""]');
    select.replaceChildren(...(keep ? [keep] : []));
    for (const item of items) {
      const [value, label] = option(item);
      select.append(new Option(label, value));
    }
  }

  async function loadPickers() {
    const [projects, statuses, filters, sprints, fields, calendars, sets] = await Promise.all([
      getJson("/rest/projects"),
      getJson("/rest/statuses"),
      getJson("/rest/filters"),
      getJson("/rest/sprints"),
      getJson("/rest/fields"),
      getJson("/rest/calendar"),
      getJson("/rest/parameterSets?pageSize=100"),
    ]);
    fill($("projectKey"), projects, (p) => [p.key, `${p.key}: ${p.name || p.key} (${p.issueCount} issues)`]);
    fill($("statuses"), statuses, (s) => [s.id, `${s.name} (${s.id})`]);
    fill($("jqlFilterID"), filters, (f) => [f.id, `${f.name} (${f.id})`]);
    fill($("sprintID"), sprints, (s) => [String(s.id), `${s.name}${s.state ? ` (${s.state})` : ""}`]);
    for (const id of ["fields", "groupByFields"]) {
      fill($(id), fields, (f) => [f.id, f.custom ? f.id : `${f.name} (${f.id})`]);
    }
    const calendar = $("calendar");
    calendar.replaceChildren(calendar.options[0]);
    for (const c of calendars) calendar.append(new Option(`${c.name} (${c.id})`, String(c.id)));
    fill($("paramSetId"), sets.elements, (s) => [s.id, `${s.name} (${s.id})`]);
    paramSets = new Map(sets.elements.map((s) => [s.id, s.parameters]));
  }

  // Choosing a parameter set shows its values in the form: the form sends every field it
  // shows, and explicit parameters override the set's, so what is seen is what is run.
  function applyParamSet() {
    const parameters = paramSets.get($("paramSetId").value) || {};
    const byName = new Map([...$("export-form").elements].map((e) => [e.name.toLowerCase(), e]));
    for (const [name, given] of Object.entries(parameters)) {
      const element = byName.get(name.toLowerCase());
      if (!element || element.name === "paramSetId") continue;
      const values = (Array.isArray(given) ? given : [given]).flatMap((v) => String(v).split(","));
      if (element.multiple) {
        for (const option of element.options) option.selected = values.includes(option.value);
      } else if (element.tagName === "SELECT") {
        const match = [...element.options].find((o) => o.value.toLowerCase() === values[0].toLowerCase());
        if (match) element.value = match.value;
      } else {
        element.value = values.join(",");
      }
    }
    showCompanion();
  }

  function showCompanion() {
    const wanted = companions[$("filterType").value];
    for (const field of document.querySelectorAll("[data-companion]")) {
      field.hidden = field.dataset.companion !== wanted;
    }
  }
  $("filterType").addEventListener("change", showCompanion);
  $("paramSetId").addEventListener("change", applyParamSet);

  function formBody() {
    const body = new URLSearchParams();
    for (const element of $("export-form").elements) {
      if (!element.name || element.closest("[hidden]")) continue;
      if (element.multiple) {
        for (const option of element.selectedOptions) body.append(element.name, option.value);
      } else if (element.value.trim()) {
        body.append(element.name, element.value.trim());
      }
    }
    return body;
  }

  function clearErrors() {
    $("form-error").textContent = "";
    for (const element of $("export-form").querySelectorAll("[aria-invalid]")) {
      element.removeAttribute("aria-invalid");
      $(`${element.id}-error`).textContent = "";
    }
  }

  // The server names the parameter first ("startDate: …"): show each message by its field.
  function showErrors(error) {
    const byName = new Map();
    for (const element of $("export-form").elements) {
      if (element.name) byName.set(element.name.toLowerCase(), element);
    }
    const general = [];
    let first = null;
    for (const message of error.messages.length ? error.messages : [error.message]) {
      const match = /^\s*([A-Za-z]+)\s*:\s*(.*)$/.exec(message);
      const element = match && byName.get(match[1].toLowerCase());
      if (element && !element.closest("[hidden]")) {
        const slot = $(`${element.id}-error`);
        slot.textContent = slot.textContent ? `${slot.textContent} ${match[2]}` : match[2];
        element.setAttribute("aria-invalid", "true");
        first = first || element;
      } else {
        general.push(message);
      }
    }
    $("form-error").textContent = general.length ? [error.message, ...general].join(" ") : "";
    if (first) first.focus();
  }

  $("export-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    try {
      const response = await api("/rest/export", { method: "POST", body: formBody() });
      const created = await response.json();
      startedHere.add(created.exportId);
      page = 0;
      announce("Export started.");
      await refresh();
    } catch (error) {
      if (error instanceof ApiError) {
        showErrors(error);
      } else {
        $("form-error").textContent = `The server could not be reached (${error.message}).`;
      }
    }
  });

  // ---- my exports ------------------------------------------------------------------------

  function button(label, text, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = text;
    element.setAttribute("aria-label", label);
    element.addEventListener("click", action);
    return element;
  }

  function actions(record) {
    const name = record.fileName;
    if (record.status === "Successful") {
      return [
        button(`Download ${name}`, "Download", () => download(record)),
        button(`Summary of ${name}`, "Summary", () => openSummary(record, true)),
      ];
    }
    if (ACTIVE.has(record.status)) return [button(`Abort ${name}`, "Abort", () => abort(record))];
    return [];
  }

  function timing(record, now) {
    const begin = record.started || record.created;
    const end = record.finished || now;
    const elapsed = end - begin;
    let left = "";
    if (record.status === "Running" && record.total > 0 && record.completed >= record.total) {
      left = "writing the file";
    } else if (record.status === "Running" && record.completed > 0 && record.total > 0) {
      left = duration((elapsed * (record.total - record.completed)) / record.completed);
    }
    return [duration(elapsed), left];
  }

  function progressCell(cell, record) {
    let bar = cell.querySelector("progress");
    let text = cell.querySelector("span");
    if (!bar) {
      bar = document.createElement("progress");
      text = document.createElement("span");
      cell.append(bar, text);
    }
    bar.setAttribute("aria-label", `Progress of ${record.fileName}`);
    const { completed, total } = record;
    if (total > 0) {
      bar.max = total;
      bar.value = completed;
      text.textContent = `${completed}/${total} (${Math.floor((100 * completed) / total)}%)`;
    } else if (record.status === "Successful") {
      bar.max = 1;
      bar.value = 1;
      text.textContent = "0/0 (100%)";
    } else {
      bar.removeAttribute("value");
      text.textContent = ACTIVE.has(record.status) ? "waiting" : "";
    }
  }

  function updateRow(row, record, now) {
    const cells = row.cells;
    cells[0].textContent = new Date(record.created).toLocaleString();
    cells[1].textContent = record.fileName;
    // Timepiece leaves an aborted export's message null and names who in `abortedBy`.
    const message = record.message || (record.abortedBy ? `Aborted by ${record.abortedBy}.` : "");
    // "Aborted by alice." says the status already; other messages follow it.
    cells[2].textContent = !message
      ? record.status
      : message.startsWith(record.status)
        ? message
        : `${record.status}: ${message}`;
    progressCell(cells[3], record);
    [cells[4].textContent, cells[5].textContent] = timing(record, now);
    cells[6].textContent = bytes(record.size);
    if (row.dataset.status !== record.status) {
      const hadFocus = cells[7].contains(document.activeElement);
      cells[7].replaceChildren(...actions(record));
      const next = cells[7].querySelector("button");
      if (hadFocus) (next || row.cells[2]).focus();
      if (record.status === "Successful" && startedHere.has(record.exportId)) {
        startedHere.delete(record.exportId);
        announce(`${record.fileName} is ready: download it or read its summary below.`);
        openSummary(record, false);
      }
      row.dataset.status = record.status;
    }
  }

  function newRow(record) {
    const row = document.createElement("tr");
    row.dataset.id = record.exportId;
    for (let i = 0; i < 8; i += 1) row.append(document.createElement("td"));
    row.cells[2].tabIndex = -1;
    return row;
  }

  async function refresh() {
    if (!token) return;
    let body;
    try {
      body = await getJson(`/rest/export?pageNumber=${page}&pageSize=${PAGE_SIZE}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        signOut([error.message, ...error.messages].join(" "));
      } else {
        announce(`Cannot refresh the exports: ${error.message}`);
      }
      return;
    }
    const tbody = $("exports").tBodies[0];
    const rows = new Map([...tbody.rows].map((row) => [row.dataset.id, row]));
    const now = Date.now();
    const wanted = body.elements.map((record) => {
      const row = rows.get(record.exportId) || newRow(record);
      updateRow(row, record, now);
      return row;
    });
    for (const [id, row] of rows) if (!body.elements.some((r) => r.exportId === id)) row.remove();
    // Re-append only when the order changed: moving a row would take the focus away.
    if (wanted.some((row, index) => tbody.rows[index] !== row)) tbody.append(...wanted);
    $("no-exports").hidden = body.total > 0;
    const pages = Math.max(1, Math.ceil(body.total / PAGE_SIZE));
    $("page-info").textContent = `Page ${page + 1} of ${pages}`;
    $("prev-page").disabled = page === 0;
    $("next-page").disabled = body.last;
  }

  $("prev-page").addEventListener("click", () => {
    page = Math.max(0, page - 1);
    refresh();
  });
  $("next-page").addEventListener("click", () => {
    page += 1;
    refresh();
  });

  async function download(record) {
    try {
      const blob = await (await api(`/rest/export/${record.exportId}/download`)).blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = record.fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      announce(`Downloaded ${record.fileName}.`);
    } catch (error) {
      announce(`Download failed: ${[error.message, ...(error.messages || [])].join(" ")}`);
    }
  }

  async function abort(record) {
    try {
      const final = await (await api(`/rest/export/${record.exportId}`, { method: "DELETE" })).json();
      announce(`${record.fileName}: ${final.status}.`);
    } catch (error) {
      announce(`Abort failed: ${[error.message, ...(error.messages || [])].join(" ")}`);
    }
    await refresh();
  }

  // ---- the summary view ------------------------------------------------------------------

  function svg(tag, attributes = {}, text = null) {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    if (text !== null) element.textContent = text;
    return element;
  }

  // Horizontal bars: a column per row, average and median side by side, values printed.
  function barChart(columns, group, unit) {
    const labelWidth = 230;
    const plotWidth = 460;
    const rowHeight = 40;
    const top = 30;
    const height = top + rowHeight * columns.length + 10;
    const values = [...group.average, ...group.median].filter((v) => v !== null);
    const max = Math.max(...values, 0) || 1;
    const chart = svg("svg", {
      viewBox: `0 0 ${labelWidth + plotWidth + 90} ${height}`,
      role: "img",
      "aria-labelledby": "summary-chart-caption",
      class: "chart",
    });
    chart.append(
      svg("rect", { x: labelWidth, y: 6, width: 12, height: 12, class: "average" }),
      svg("text", { x: labelWidth + 18, y: 16 }, `average (${unit})`),
      svg("rect", { x: labelWidth + 170, y: 6, width: 12, height: 12, class: "median" }),
      svg("text", { x: labelWidth + 188, y: 16 }, `median (${unit})`),
    );
    columns.forEach((title, index) => {
      const y = top + index * rowHeight;
      const label = svg("text", { x: labelWidth - 8, y: y + 20, "text-anchor": "end" }, title);
      chart.append(label);
      [["average", group.average[index], 0], ["median", group.median[index], 17]].forEach(
        ([kind, value, offset]) => {
          const width = value === null ? 0 : Math.max(1, (value / max) * plotWidth);
          const bar = svg("rect", { x: labelWidth, y: y + offset, width, height: 15, class: `bar ${kind}` });
          bar.append(svg("title", {}, `${title}: ${kind} ${number(value)} ${unit}`));
          chart.append(
            bar,
            svg("text", { x: labelWidth + width + 5, y: y + offset + 12, class: "value" }, number(value)),
          );
        },
      );
    });
    return chart;
  }

  function histogram(bins, unit) {
    const left = 50;
    const plotHeight = 180;
    const width = 720;
    const barWidth = bins.length ? (width - left - 10) / bins.length : 0;
    const max = Math.max(...bins.map((b) => b.count), 1);
    const chart = svg("svg", {
      viewBox: `0 0 ${width} ${plotHeight + 70}`,
      role: "img",
      "aria-labelledby": "summary-histogram-caption",
      class: "chart",
    });
    chart.append(svg("text", { x: 0, y: 14 }, "issues"));
    bins.forEach((bin, index) => {
      const height = (bin.count / max) * plotHeight;
      const x = left + index * barWidth;
      const y = 20 + plotHeight - height;
      const bar = svg("rect", { x: x + 2, y, width: barWidth - 4, height, class: "bin" });
      bar.append(svg("title", {}, `${number(bin.from)}–${number(bin.to)} ${unit}: ${bin.count} issues`));
      chart.append(
        bar,
        svg("text", { x: x + barWidth / 2, y: y - 4, "text-anchor": "middle", class: "value" }, String(bin.count)),
        svg("text", { x: x + barWidth / 2, y: plotHeight + 38, "text-anchor": "middle", class: "tick" }, number(bin.from)),
      );
    });
    chart.append(
      svg("text", { x: width - 10, y: plotHeight + 62, "text-anchor": "end" }, `total per issue (${unit}); last bin ends at ${number(bins.length ? bins[bins.length - 1].to : 0)}`),
    );
    return chart;
  }

  function drawSummary() {
    const group = summary.data.groups[Number($("summary-group").value) || 0];
    const { unit, columns } = summary.data;
    $("summary-chart").replaceChildren(
      columns.length && group ? barChart(columns, group, unit) : document.createTextNode("No columns."),
    );
    $("summary-histogram").replaceChildren(histogram(summary.data.totals.bins, unit));
    const count = group ? group.issueCount : 0;
    $("summary-meta").textContent =
      `${summary.record.fileName}: ${count} issues${group && group.groupBy.length ? " in this group" : ""}` +
      `, ${summary.data.issueCount} in all; values in ${unit}.`;
  }

  async function openSummary(record, focus) {
    const section = $("summary");
    $("summary-title").textContent = `Summary of ${record.fileName}`;
    section.hidden = false;
    try {
      const data = await getJson(`/rest/export/${record.exportId}/aggregate`);
      summary = { record, data };
      const picker = $("summary-group");
      picker.replaceChildren(
        ...data.groups.map((g, i) => new Option(g.groupBy.map((v) => v ?? "(empty)").join(" / ") || "all", String(i))),
      );
      $("summary-group-picker").hidden = data.groups.length < 2;
      drawSummary();
    } catch (error) {
      summary = null;
      $("summary-meta").textContent = [error.message, ...(error.messages || [])].join(" ");
      $("summary-chart").replaceChildren();
      $("summary-histogram").replaceChildren();
    }
    if (focus) $("summary-title").focus();
  }

  $("summary-group").addEventListener("change", drawSummary);
  $("close-summary").addEventListener("click", () => {
    $("summary").hidden = true;
    $("export-form").querySelector("select").focus();
  });

  // ---- start -----------------------------------------------------------------------------

  showCompanion();
  if (token) {
    signIn(token).catch((error) => signOut(error.message));
  } else {
    $("token").focus();
  }
})();
