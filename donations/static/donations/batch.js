// The cheque batch screen (templates/admin/donations/gift/batch.html): rows added as needed,
// a donor picker that shows where each match lives, their email and last gift, a new donor
// added in a dialog, and the running totals. Without JavaScript the page still works: the
// server searches what was typed and asks which donor is meant.
(function () {
  "use strict";
  const form = document.getElementById("batch-form");
  if (!form) { return; }
  const body = document.getElementById("batch-rows-body");
  const template = document.getElementById("batch-row-template");
  const totalForms = form.querySelector("input[name=rows-TOTAL_FORMS]");
  const searchUrl = form.dataset.searchUrl;
  const dialog = document.getElementById("new-donor");
  const money = new Intl.NumberFormat("en-US", {style: "currency", currency: "USD"});

  function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr.batch-row")); }

  function rowIsBlank(row) {
    return !Array.prototype.some.call(
      row.querySelectorAll("input:not([type=hidden]):not([type=radio]), select"),
      function (field) { return field.value.trim() !== ""; }
    ) && !row.querySelector(".batch-supporter").value;
  }

  // 1. Rows: 'Add a row', and a blank row appears when the last one is being filled.
  function addRow(focus) {
    const index = parseInt(totalForms.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    totalForms.value = String(index + 1);
    const row = body.lastElementChild;
    row.querySelector(".batch-n").textContent = String(index + 1);
    setUpRow(row);
    showInherited();
    if (focus) { row.querySelector(".batch-donor").focus(); }
    return row;
  }
  document.getElementById("batch-add-row").addEventListener("click", function (event) {
    event.preventDefault();
    addRow(true);
  });
  body.addEventListener("input", function (event) {
    const last = rows().pop();
    if (last && last.contains(event.target) && !rowIsBlank(last)) { addRow(false); }
    update();
  });
  body.addEventListener("change", update);

  // 2. Totals: the count of checks, their sum, and the control total if one was typed.
  const control = form.querySelector(".batch-control");
  function update() {
    let cents = 0;
    let count = 0;
    rows().forEach(function (row) {
      const value = parseFloat(row.querySelector(".batch-amount").value);
      if (!isNaN(value) && value > 0) { cents += Math.round(value * 100); count += 1; }
    });
    document.getElementById("batch-count").textContent = count === 1 ? "1 check" : count + " checks";
    document.getElementById("batch-sum").textContent = money.format(cents / 100);
    const check = document.getElementById("batch-check");
    const expected = control ? parseFloat(control.value) : NaN;
    check.className = "";
    if (isNaN(expected)) {
      check.textContent = "";
    } else if (Math.round(expected * 100) === cents) {
      check.textContent = "matches the control total";
      check.className = "batch-ok";
    } else {
      const off = (cents - Math.round(expected * 100)) / 100;
      check.textContent = (off > 0 ? money.format(off) + " over" : money.format(-off) + " short of") +
        " the control total of " + money.format(expected);
      check.className = "batch-off";
    }
  }
  if (control) { control.addEventListener("input", update); }

  // 3. What a row inherits, named in its blank choice: "Batch's: General".
  function showInherited() {
    ["fund", "campaign"].forEach(function (name) {
      const source = form.querySelector("[name=deposit-" + name + "]");
      let chosen = source && source.value ? source.options[source.selectedIndex].text : "";
      if (name === "campaign") { chosen = chosen.replace(/ \([^)]*\)$/, ""); }  // without its code
      form.querySelectorAll(".batch-" + name).forEach(function (select) {
        if (select.options.length && select.options[0].value === "") {
          select.options[0].text = chosen ? "Batch: " + chosen : "Batch's";
        }
      });
    });
  }
  ["fund", "campaign"].forEach(function (name) {
    const source = form.querySelector("[name=deposit-" + name + "]");
    if (source) { source.addEventListener("change", showInherited); }
  });

  // 4. The donor picker.
  function showPicked(row, donor) {
    row.querySelector(".batch-supporter").value = donor ? String(donor.id) : "";
    const card = row.querySelector(".batch-picked");
    card.textContent = "";
    if (donor) {
      const name = document.createElement("strong");
      name.textContent = donor.name;
      card.appendChild(name);
      card.appendChild(document.createTextNode(" (#" + donor.id + ") · " + donor.details));
      row.querySelector(".batch-donor").value = donor.name;
      const candidates = row.querySelector(".batch-candidates");
      if (candidates) { candidates.remove(); }
    }
    card.hidden = !donor;
    const newDonor = row.querySelector(".batch-new-donor");
    if (newDonor && dialog) { newDonor.hidden = Boolean(donor); }  // offered until one is chosen
  }

  function setUpRow(row) {
    const input = row.querySelector(".batch-donor");
    const picker = row.querySelector(".batch-picker");
    const list = document.createElement("ul");
    const listId = input.id + "-matches";
    list.id = listId;
    list.className = "batch-matches";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    picker.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");
    const newDonor = row.querySelector(".batch-new-donor");
    if (newDonor && dialog) {
      newDonor.hidden = Boolean(row.querySelector(".batch-supporter").value);
      newDonor.addEventListener("click", function () { openNewDonor(row); });
    }
    let found = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      const items = list.querySelectorAll("li[role=option]");
      items.forEach(function (item, i) { item.setAttribute("aria-selected", String(i === index)); });
      active = index;
      if (items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({block: "nearest"});
      }
    }
    function pick(index) {
      if (!found[index]) { return; }
      showPicked(row, found[index]);
      close();
      update();
      const amount = row.querySelector(".batch-amount");
      if (amount) { amount.focus(); }
    }
    function render(query) {
      list.textContent = "";
      found.forEach(function (donor, i) {
        const item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.id = String(donor.id);
        const name = document.createElement("strong");
        name.textContent = donor.name;
        const details = document.createElement("span");
        details.textContent = "#" + donor.id + " · " + donor.details;
        item.appendChild(name);
        item.appendChild(details);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
        list.appendChild(item);
      });
      if (!found.length) {
        const none = document.createElement("li");
        none.className = "batch-none";
        none.textContent = "No donor matches “" + query + "”." + (newDonor ? " Use “New donor”." : "");
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (found.length) { highlight(0); }
    }
    function search() {
      const query = input.value.trim();
      if (query.length < 2) { close(); return; }
      const ticket = ++asked;
      fetch(searchUrl + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: {"Accept": "application/json"}
      }).then(function (response) {
        if (!response.ok) { throw new Error("search " + response.status); }
        return response.json();
      }).then(function (data) {
        if (ticket !== asked) { return; }  // a later search answers instead
        found = data.results;
        render(query);
      }).catch(function () { close(); });
    }
    input.addEventListener("input", function () {
      showPicked(row, null);  // typing again means choosing again
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown") { search(); }
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, found.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        event.preventDefault();  // picks; never submits the batch half-chosen
        pick(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // 5. A new donor, added in a dialog through the supporters' duplicate check, then picked.
  let forRow = null;
  function openNewDonor(row) {
    forRow = row;
    const list = row.querySelector(".batch-matches");
    if (list) { list.hidden = true; }
    const newForm = document.getElementById("new-donor-form");
    newForm.reset();
    newForm.querySelector("[name=new-confirmed]").value = "";
    resetDialog();
    const typed = row.querySelector(".batch-donor").value.trim();
    if (typed && typed.indexOf("@") === -1 && !/^#?\d+$/.test(typed)) {
      const words = typed.split(/\s+/);
      newForm.querySelector("[name=new-last_name]").value = words.length > 1 ? words.pop() : "";
      newForm.querySelector("[name=new-first_name]").value = words.join(" ");
    } else if (typed.indexOf("@") !== -1) {
      newForm.querySelector("[name=new-email]").value = typed;
    }
    dialog.showModal();
    newForm.querySelector("[name=new-first_name]").focus();
  }
  function resetDialog() {
    dialog.querySelector(".new-donor-message").hidden = true;
    dialog.querySelector(".new-donor-matches").hidden = true;
    dialog.querySelector(".new-donor-matches").textContent = "";
    dialog.querySelectorAll(".new-donor-error").forEach(function (node) { node.textContent = ""; });
    dialog.querySelector(".new-donor-save").textContent = "Add donor";
  }
  function chosen(donor) {
    dialog.close();
    if (forRow) {
      showPicked(forRow, donor);
      update();
      const last = rows().pop();
      if (last === forRow) { addRow(false); }
      forRow.querySelector(".batch-amount").focus();
    }
  }
  if (dialog) {
    const newForm = document.getElementById("new-donor-form");
    dialog.querySelector(".new-donor-cancel").addEventListener("click", function () { dialog.close(); });
    newForm.addEventListener("input", function () {  // changed after a warning: check again
      newForm.querySelector("[name=new-confirmed]").value = "";
      dialog.querySelector(".new-donor-save").textContent = "Add donor";
    });
    newForm.addEventListener("submit", function (event) {
      event.preventDefault();
      const sent = new FormData(newForm);
      fetch(newForm.action, {
        method: "POST",
        body: sent,
        credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": sent.get("csrfmiddlewaretoken")}
      }).then(function (response) {
        return response.json().then(function (data) { return {status: response.status, data: data}; });
      }).then(function (answer) {
        resetDialog();
        const message = dialog.querySelector(".new-donor-message");
        if (answer.status === 201) { chosen(answer.data.donor); return; }
        if (answer.status === 400) {
          Object.keys(answer.data.errors).forEach(function (field) {
            const slot = dialog.querySelector(".new-donor-error[data-for=" + field + "]");
            const text = answer.data.errors[field].join(" ");
            if (slot) { slot.textContent = text; } else { message.textContent = text; message.hidden = false; }
          });
          return;
        }
        if (answer.status === 409) {
          message.textContent = answer.data.message;
          message.hidden = false;
          const list = dialog.querySelector(".new-donor-matches");
          answer.data.matches.forEach(function (donor) {
            const item = document.createElement("li");
            const use = document.createElement("button");
            use.type = "button";
            use.className = "button";
            use.textContent = "Use this donor";
            use.addEventListener("click", function () { chosen(donor); });
            const text = document.createElement("span");
            text.textContent = donor.name + " (#" + donor.id + ") · " + donor.details +
              " — " + donor.reasons.join(", ").toLowerCase();
            item.appendChild(use);
            item.appendChild(text);
            list.appendChild(item);
          });
          list.hidden = false;
          if (answer.data.may_add) {
            newForm.querySelector("[name=new-confirmed]").value = "True";
            dialog.querySelector(".new-donor-save").textContent = "Add as a new donor anyway";
          }
          return;
        }
        message.textContent = "The donor could not be added (" + answer.status + ").";
        message.hidden = false;
      }).catch(function () {
        const message = dialog.querySelector(".new-donor-message");
        message.textContent = "The donor could not be added: no answer from the server.";
        message.hidden = false;
      });
    });
  }

  // 6. Enter moves on to the next field, as in a spreadsheet; only the button records.
  form.addEventListener("keydown", function (event) {
    const field = event.target;
    if (event.key !== "Enter" || event.defaultPrevented || !field.matches("input, select")) { return; }
    if (field.type === "submit" || field.type === "button") { return; }
    event.preventDefault();
    const fields = Array.prototype.filter.call(
      form.querySelectorAll("input:not([type=hidden]):not([type=radio]), select"),
      function (each) { return !each.disabled && each.offsetParent !== null; }
    );
    const next = fields[fields.indexOf(field) + 1];
    if (next) { next.focus(); }
  });

  rows().forEach(setUpRow);
  showInherited();
  update();
})();
