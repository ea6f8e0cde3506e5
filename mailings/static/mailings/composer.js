// The composer: live preview of unsaved text, problems marked at their line while typing,
// merge fields inserted at the cursor, a formatting toolbar, languages side by side.
// The server does all checking and rendering (mailings.composer.views.render_preview): this
// script only sends the text of one language and shows what comes back.
(function () {
  "use strict";
  const form = document.getElementById("composer");
  if (!form) return;
  const grid = document.getElementById("composer-grid");
  const canChange = form.dataset.canChange === "true";
  const renderUrl = form.dataset.renderUrl;
  const searchUrl = form.dataset.searchUrl;
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const supporterInput = document.getElementById("preview-supporter");
  const status = document.getElementById("preview-status");
  const frame = document.getElementById("email-frame");
  const frameWrap = document.getElementById("frame-wrap");
  const printPages = document.getElementById("print-pages");
  const saveState = document.getElementById("save-state");
  let view = "desktop";
  let activeLanguage = form.dataset.startLanguage || "en";
  let lastFocused = null;
  let dirty = false;
  let timer = null;
  let requestNumber = 0;
  const lastProblems = {};

  const fieldsOf = (language) =>
    Array.from(form.querySelectorAll(`.editor[data-language="${language}"] .draft`));
  const languageOf = (element) => element.closest(".editor").dataset.language;
  const nameOf = (element) => element.closest(".field").dataset.field;

  // ---- Language modes: one language, the other, or both side by side.
  function setMode(mode) {
    grid.dataset.mode = mode;
    for (const button of form.querySelectorAll(".composer-modes .mode")) {
      button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
    }
    if (mode !== "both") activeLanguage = mode;
    markMissing();
    refresh();
  }
  for (const button of form.querySelectorAll(".composer-modes .mode")) {
    button.addEventListener("click", () => setMode(button.dataset.mode));
  }

  // ---- What one language has and the other lacks (only once the second one is started).
  function markMissing() {
    const started = (language) => fieldsOf(language).some((f) => f.value.trim());
    const languages = Array.from(form.querySelectorAll(".editor")).map((e) => e.dataset.language);
    const names = { en: "English", es: "Spanish" };
    for (const language of languages) {
      const other = languages.find((l) => l !== language);
      for (const field of fieldsOf(language)) {
        const badge = field.closest(".field").querySelector(".missing");
        const twin = form.querySelector(`[name="${other}-${nameOf(field)}"]`);
        let text = "";
        if (started(language) && started(other) && twin) {
          if (!field.value.trim() && twin.value.trim()) {
            text = `Missing here: the ${names[other]} version has this`;
          } else if (nameOf(field) === "body" && field.value.trim() && twin.value.trim()) {
            const count = (v) => v.trim().split(/\n\s*\n/).length;
            const [mine, theirs] = [count(field.value), count(twin.value)];
            if (mine < theirs) {
              text = `${mine} paragraphs here, ${theirs} in the ${names[other]} version`;
            }
          }
        }
        badge.textContent = text;
        badge.hidden = !text;
      }
    }
  }

  // ---- Problems: listed above the text, under their field, and marked at their line.
  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  function paintBackdrop(textarea) {
    const backdrop = textarea.parentElement.querySelector(".backdrop");
    if (!backdrop) return;
    const problems = (lastProblems[languageOf(textarea)] || []).filter((p) => p.field === nameOf(textarea));
    const lines = new Set(problems.map((p) => p.line));
    backdrop.innerHTML =
      textarea.value
        .split("\n")
        .map((line, i) => (lines.has(i + 1) ? `<mark>${escapeHtml(line) || " "}</mark>` : escapeHtml(line)))
        .join("\n") + "\n";
    backdrop.scrollTop = textarea.scrollTop;
  }
  function showProblems(language, problems) {
    lastProblems[language] = problems;
    const box = form.querySelector(`[data-problems-for="${language}"]`);
    box.innerHTML = problems.length
      ? `<p><strong>${problems.length === 1 ? "One thing to fix" : problems.length + " things to fix"} before this can be previewed or saved:</strong></p>` +
        problems.map((p) => `<p>${escapeHtml(p.label)}, line ${p.line}: ${escapeHtml(p.message)}</p>`).join("")
      : "";
    for (const field of fieldsOf(language)) {
      const mine = problems.filter((p) => p.field === nameOf(field));
      const list = field.closest(".field").querySelector(".field-problems");
      list.innerHTML = mine
        .map((p) => `<p class="problem" data-line="${p.line}">Line ${p.line}: ${escapeHtml(p.message)}</p>`)
        .join("");
      if (mine.length) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
      if (field.tagName === "TEXTAREA") paintBackdrop(field);
    }
  }
  // A problem clicked: its line selected in the text.
  form.addEventListener("click", (event) => {
    const problem = event.target.closest(".field-problems .problem");
    if (!problem) return;
    const field = problem.closest(".field").querySelector(".draft");
    const line = Number(problem.dataset.line);
    const lines = field.value.split("\n");
    const start = lines.slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
    field.focus();
    field.setSelectionRange(start, start + (lines[line - 1] || "").length);
  });

  // ---- The preview: the focused language's text sent to the server, the answer shown.
  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }
  async function refresh() {
    const language = activeLanguage;
    const body = new FormData();
    for (const field of fieldsOf(language)) body.append(field.name, field.value);
    body.append("language", language);
    body.append("supporter", supporterInput.value);
    body.append("want", view === "print" ? "print" : "email");
    const number = ++requestNumber;
    status.textContent = view === "print" ? "Laying out the printed page…" : "Updating…";
    status.classList.remove("stale");
    let answer;
    try {
      const response = await fetch(renderUrl, {
        method: "POST", body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      answer = await response.json();
    } catch (error) {
      if (number === requestNumber) {
        status.textContent = `The preview could not be updated (${error.message}). Your text is still here; try again.`;
        status.classList.add("stale");
      }
      return;
    }
    if (number !== requestNumber) return; // a newer request is on its way
    showProblems(language, answer.problems);
    for (const item of answer.fields) {
      const cell = form.querySelector(`[data-value-for="${item.name}"]`);
      if (cell) cell.textContent = item.value || "(empty)";
    }
    if (answer.problems.length) {
      status.textContent = "The preview shows the last version without problems: fix the marked lines to update it.";
      status.classList.add("stale");
      return;
    }
    status.textContent = `Up to date (${language === "es" ? "Spanish" : "English"}).`;
    if (answer.email) {
      const scroll = frame.contentWindow ? frame.contentWindow.scrollY : 0;
      frame.addEventListener("load", () => frame.contentWindow.scrollTo(0, scroll), { once: true });
      frame.srcdoc = answer.email.html;
      document.getElementById("preview-subject").textContent = answer.email.subject;
    }
    if (answer.pages) showPages(answer);
  }
  function showPages(answer) {
    const summary = document.getElementById("print-summary");
    const count = answer.page_count;
    summary.innerHTML =
      `<strong>${count} page${count === 1 ? "" : "s"}</strong>` +
      (answer.print_notes || [])
        .map((note) => `<span class="note ${note.level}">${escapeHtml(note.text)}</span>`)
        .join("");
    const images = document.getElementById("page-images");
    images.innerHTML = "";
    answer.pages.forEach((src, i) => {
      const img = document.createElement("img");
      img.src = src;
      img.alt = `Printed page ${i + 1} of ${count}`;
      images.appendChild(img);
    });
  }

  // ---- Preview tabs: email at desktop or phone width, or the printed page.
  for (const tab of form.querySelectorAll(".preview-tabs [role=tab]")) {
    tab.addEventListener("click", () => {
      const before = view;
      view = tab.dataset.view;
      for (const other of form.querySelectorAll(".preview-tabs [role=tab]")) {
        other.setAttribute("aria-selected", String(other === tab));
      }
      frameWrap.hidden = view === "print";
      document.getElementById("email-meta").hidden = view === "print";
      frameWrap.classList.toggle("phone", view === "phone");
      printPages.hidden = view !== "print";
      if (view === "print" || before === "print") refresh();
    });
  }

  // ---- Typing: mark unsaved, check and preview shortly after the last key.
  form.addEventListener("input", (event) => {
    const field = event.target.closest(".draft");
    if (!field) return;
    activeLanguage = languageOf(field);
    dirty = true;
    if (saveState) {
      saveState.textContent = "Unsaved changes";
      saveState.classList.add("unsaved");
    }
    if (field.tagName === "TEXTAREA") paintBackdrop(field);
    markMissing();
    schedule(view === "print" ? 900 : 350);
  });
  form.addEventListener("focusin", (event) => {
    const field = event.target.closest(".draft");
    if (!field) return;
    lastFocused = field;
    if (languageOf(field) !== activeLanguage) {
      activeLanguage = languageOf(field);
      schedule(0);
    }
  });
  form.addEventListener("scroll", (event) => {
    if (event.target.tagName === "TEXTAREA") paintBackdrop(event.target);
  }, true);
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });

  // ---- Text changes that keep the browser's undo history (execCommand insertText).
  function replaceSelection(field, text, selectFrom, selectTo) {
    field.focus();
    const start = field.selectionStart;
    if (!document.execCommand("insertText", false, text)) {
      field.setRangeText(text, field.selectionStart, field.selectionEnd, "end");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) field.setSelectionRange(start + selectFrom, start + selectTo);
  }

  // ---- Merge fields: inserted at the cursor of the field last written in.
  form.addEventListener("click", (event) => {
    const button = event.target.closest(".insert-field");
    if (!button || !canChange) return;
    const field = lastFocused || form.querySelector(`[name="${activeLanguage}-body"]`);
    replaceSelection(field, `{{ ${button.dataset.name} }}`);
  });
  document.getElementById("field-filter").addEventListener("input", (event) => {
    const words = event.target.value.trim().toLowerCase();
    for (const item of document.querySelectorAll("#field-list li")) {
      item.hidden = words && !item.textContent.toLowerCase().includes(words);
    }
    for (const group of document.querySelectorAll("#field-list details")) {
      const shown = group.querySelectorAll("li:not([hidden])").length;
      group.hidden = !shown;
      if (words && shown) group.open = true;
    }
  });

  // ---- The toolbar: Markdown around the selection, or at the start of each selected line.
  function format(field, kind) {
    if (kind === "undo" || kind === "redo") {
      field.focus();
      return document.execCommand(kind);
    }
    const [start, end] = [field.selectionStart, field.selectionEnd];
    const chosen = field.value.slice(start, end);
    const wrap = (mark, placeholder) => {
      const inner = chosen || placeholder;
      replaceSelection(field, mark + inner + mark, mark.length, mark.length + inner.length);
    };
    if (kind === "bold") return wrap("**", "bold text");
    if (kind === "italic") return wrap("*", "italic text");
    if (kind === "link") {
      const text = chosen || "link text";
      const inserted = `[${text}](https://)`;
      return replaceSelection(field, inserted, text.length + 3, inserted.length - 1);
    }
    // Line formats: widen the selection to whole lines first.
    const lineStart = field.value.lastIndexOf("\n", start - 1) + 1;
    let lineEnd = field.value.indexOf("\n", end);
    if (lineEnd === -1) lineEnd = field.value.length;
    field.setSelectionRange(lineStart, lineEnd);
    const lines = field.value.slice(lineStart, lineEnd).split("\n");
    const prefix = { heading: () => "## ", bullets: () => "- ", numbers: (i) => `${i + 1}. `, quote: () => "> " }[kind];
    const done = lines.map((line, i) => prefix(i) + line.replace(/^(#+ |- |\* |\d+\. |> )/, "")).join("\n");
    replaceSelection(field, done, 0, done.length);
  }
  for (const toolbar of form.querySelectorAll(".toolbar")) {
    const field = document.getElementById(toolbar.dataset.for);
    toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("[data-format]");
      if (button) format(field, button.dataset.format);
    });
    field.addEventListener("keydown", (event) => {
      if (!(event.ctrlKey || event.metaKey)) return;
      if (event.key === "b") { event.preventDefault(); format(field, "bold"); }
      if (event.key === "i") { event.preventDefault(); format(field, "italic"); }
    });
  }
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s" && canChange) {
      event.preventDefault();
      dirty = false;
      form.requestSubmit();
    }
  });

  // ---- Whose values the preview uses: search a supporter, or sample values.
  const search = document.getElementById("supporter-search");
  const results = document.getElementById("supporter-results");
  const sampleButton = document.getElementById("use-sample");
  let searchTimer = null;
  function choose(id, name) {
    supporterInput.value = id;
    search.value = "";
    search.placeholder = name || "Sample values: search a supporter";
    document.getElementById("values-for").textContent = name || "sample values";
    sampleButton.hidden = !id;
    results.hidden = true;
    refresh();
  }
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(async () => {
      const query = search.value.trim();
      if (query.length < 2) { results.hidden = true; return; }
      const response = await fetch(`${searchUrl}?q=${encodeURIComponent(query)}`, { credentials: "same-origin" });
      const found = (await response.json()).results;
      results.innerHTML = found.length
        ? found.map((s) => `<li role="option" data-id="${s.id}" tabindex="-1">${escapeHtml(s.name)}<small>${escapeHtml(s.detail || "")}</small></li>`).join("")
        : `<li role="option" aria-disabled="true">No supporter matches “${escapeHtml(query)}”.</li>`;
      results.hidden = false;
    }, 250);
  });
  results.addEventListener("click", (event) => {
    const item = event.target.closest("li[data-id]");
    if (item) choose(item.dataset.id, item.firstChild.textContent);
  });
  sampleButton.addEventListener("click", () => choose("", ""));

  // ---- Start: the language asked for, marks for any problems the server found on save.
  for (const textarea of form.querySelectorAll(".marked-area textarea")) paintBackdrop(textarea);
  setMode(form.dataset.startLanguage || "en");
})();
