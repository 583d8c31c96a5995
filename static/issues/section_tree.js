/* The sections as a tree in one form (issues/admin.py SectionInline).

   - 上级板块 lists every other row, new rows too (as "new-<index>", resolved by the server when
     saving), never the row itself or its subsections;
   - the rows are kept in the order of the 目录 (a subsection under its board), with 上移/下移
     moving a row with its subsections among its siblings; 顺序 follows the rows;
   - with 编号随结构, the numbers shown are those the save will give.
   Without this script the form still works: the server checks and resolves the same. */
(function () {
  "use strict";

  function start(group) {
    const prefix = group.dataset.prefix;
    const body = group.querySelector("tbody");
    const follow = document.getElementById("id_" + prefix + "-follow_tree");
    const NEW = "new-";

    const input = (row, name) => row.querySelector('[name="' + row.id + "-" + name + '"]');
    const rows = () =>
      Array.from(body.querySelectorAll("tr.form-row")).filter(
        (r) => !r.classList.contains("empty-form") && r.id !== prefix + "-empty"
      );
    const key = (row) => {
      const id = input(row, "id");
      return id && id.value ? id.value : NEW + row.id.slice(prefix.length + 1);
    };
    const deleted = (row) => {
      const box = input(row, "DELETE");
      return Boolean(box && box.checked);
    };
    const isNew = (row) => key(row).startsWith(NEW);
    const blank = (row) =>
      isNew(row) && !input(row, "title").value.trim() && !input(row, "page").value;
    const label = (row) => {
      const number = input(row, "number").value.trim();
      const title = input(row, "title").value.trim();
      return (number + " " + title).trim() + (isNew(row) ? "（新）" : "");
    };

    /* The tree of the rows as they stand: parent key → child rows, in row order. */
    function tree() {
      const all = rows();
      const byKey = new Map(all.map((r) => [key(r), r]));
      const children = new Map();
      for (const row of all) {
        let parent = input(row, "parent").value || "";
        if (!byKey.has(parent)) parent = "";
        // A loop (possible only without this script's lists) is shown at the top level.
        const seen = new Set([key(row)]);
        for (let p = parent; p; p = byKey.has(p) ? input(byKey.get(p), "parent").value : "") {
          if (seen.has(p)) {
            parent = "";
            break;
          }
          seen.add(p);
        }
        if (!children.has(parent)) children.set(parent, []);
        children.get(parent).push(row);
      }
      return children;
    }

    function walk(children, visit) {
      const go = (parent, depth, prefixNumber) => {
        let place = 0;
        for (const row of children.get(parent) || []) {
          if (!deleted(row) && !blank(row)) place += 1;
          visit(row, depth, prefixNumber + place);
          go(key(row), depth + 1, prefixNumber + place + ".");
        }
      };
      go("", 0, "");
    }

    /* Rows in 目录 order, depth marked, numbers (with 编号随结构) and 顺序 brought in step. */
    /* Django renumbers the new rows after one is removed (new-5 becomes new-4): the lists that
       named them follow; one that named the removed row is emptied. */
    let known = new Map();
    function remap() {
      const all = rows();
      const now = new Map(all.filter((r) => r.dataset.key).map((r) => [r.dataset.key, key(r)]));
      for (const row of all) {
        const select = input(row, "parent");
        const value = select.value;
        if (!value.startsWith(NEW) || !known.has(value) || now.get(value) === value) continue;
        const moved = now.get(value) || "";
        if (!Array.from(select.options).some((o) => o.value === moved)) select.add(new Option(moved, moved));
        select.value = moved;
      }
      known = new Map(all.map((r) => [key(r), true]));
      all.forEach((r) => { r.dataset.key = key(r); });
    }

    function arrange() {
      remap();
      const before = rows().map(key).join(",");
      const children = tree();
      const ordered = [];
      walk(children, (row, depth, number) => {
        ordered.push(row);
        row.dataset.depth = String(Math.min(depth, 4));
        const field = input(row, "number");
        field.readOnly = Boolean(follow && follow.checked);
        if (follow && follow.checked && !deleted(row) && !blank(row)) field.value = number;
      });
      const tail = body.querySelector("tr.empty-form, #" + prefix + "-empty, tr.add-row");
      for (const row of ordered) {
        const errors = row.previousElementSibling;
        const hasErrors = errors && errors.classList.contains("row-form-errors");
        body.insertBefore(row, tail);
        if (hasErrors) body.insertBefore(errors, row);
      }
      if (rows().map(key).join(",") !== before) positions();
      choices();
    }

    /* 顺序 from the row order, changing as few rows as it can: the values there are, sorted and
       made to rise; a new row goes after the others. */
    function positions() {
      const all = rows();
      const values = all
        .map((r) => parseInt(input(r, "position").value, 10))
        .filter((v) => !Number.isNaN(v))
        .sort((a, b) => a - b);
      let last = -1;
      all.forEach((row, i) => {
        const value = i < values.length ? Math.max(values[i], last + 1) : last + 1;
        input(row, "position").value = String(value);
        last = value;
      });
    }

    /* Each 上级板块 list: every other row but the row's own subsections. */
    function choices() {
      const all = rows();
      const children = tree();
      const below = (row) => {
        const found = new Set([key(row)]);
        const more = (k) => (children.get(k) || []).forEach((c) => { found.add(key(c)); more(key(c)); });
        more(key(row));
        return found;
      };
      for (const row of all) {
        const select = input(row, "parent");
        const value = select.value;
        const old = new Map(Array.from(select.options).map((o) => [o.value, o.textContent]));
        const skip = below(row);
        const options = [["", old.get("") || "（无，顶级板块）"]];
        for (const other of all) {
          if (!skip.has(key(other)) && !deleted(other) && !blank(other)) {
            options.push([key(other), label(other)]);
          }
        }
        if (value && !options.some(([v]) => v === value)) {
          options.push([value, old.get(value) || value]); // the server says what is wrong
        }
        const same =
          options.length === select.options.length &&
          options.every(([v, t], i) => select.options[i].value === v && select.options[i].textContent === t);
        if (!same) {
          select.replaceChildren(...options.map(([v, t]) => new Option(t, v, false, v === value)));
          select.value = value;
        }
      }
    }

    /* 上移 / 下移: the row and its subsections swap places with the sibling before or after. */
    function move(row, step) {
      const children = tree();
      for (const siblings of children.values()) {
        const i = siblings.indexOf(row);
        if (i < 0) continue;
        const j = i + step;
        if (j < 0 || j >= siblings.length) return;
        const order = [];
        [siblings[i], siblings[j]] = [siblings[j], siblings[i]];
        walk(children, (r) => order.push(r));
        const tail = body.querySelector("tr.empty-form, #" + prefix + "-empty, tr.add-row");
        for (const r of order) {
          const errors = r.previousElementSibling;
          const hasErrors = errors && errors.classList.contains("row-form-errors");
          body.insertBefore(r, tail);
          if (hasErrors) body.insertBefore(errors, r);
        }
        positions();
        arrange();
        const button = row.querySelector(step < 0 ? ".section-up" : ".section-down");
        if (button) button.focus();
        return;
      }
    }

    function prepare(row) {
      const cell = input(row, "position").parentElement;
      if (cell.querySelector(".section-move")) return;
      const box = document.createElement("span");
      box.className = "section-move";
      for (const [cls, text, step] of [["section-up", "上移", -1], ["section-down", "下移", 1]]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button " + cls;
        button.textContent = step < 0 ? "↑" : "↓";
        button.title = text;
        button.setAttribute("aria-label", text + "（" + (label(row) || "新增的栏目") + "）");
        button.addEventListener("click", () => move(row, step));
        box.append(button);
      }
      cell.append(box);
    }

    /* A new row: under the chosen board, with the next free number there (when typed by hand). */
    function suggestNumber(row) {
      const field = input(row, "number");
      if ((follow && follow.checked) || (field.value && !field.dataset.suggested)) return;
      const parentKey = input(row, "parent").value;
      const parent = rows().find((r) => key(r) === parentKey);
      const base = parent ? input(parent, "number").value.trim() + "." : "";
      const taken = new Set(rows().filter((r) => r !== row).map((r) => input(r, "number").value.trim()));
      let n = 1;
      while (taken.has(base + n)) n += 1;
      field.value = base + n;
      field.dataset.suggested = "1";
    }

    group.addEventListener("change", (event) => {
      const row = event.target.closest("tr.form-row");
      if (row && event.target === input(row, "parent") && isNew(row)) suggestNumber(row);
      if (row && event.target === input(row, "number")) delete event.target.dataset.suggested;
      arrange();
    });
    if (follow) follow.addEventListener("change", arrange);

    document.addEventListener("formset:added", (event) => {
      if (event.detail && event.detail.formsetName !== prefix) return;
      const row = event.target;
      row.querySelectorAll("input, select").forEach((el) => {
        const name = el.getAttribute("aria-label");
        if (name) el.setAttribute("aria-label", name.replace(/（[^（]*）$/, "（新增的栏目）"));
      });
      const last = Math.max(-1, ...rows().filter((r) => r !== row).map((r) => parseInt(input(r, "position").value, 10) || 0));
      input(row, "position").value = String(last + 1);
      prepare(row);
      if (!(follow && follow.checked)) suggestNumber(row);
      arrange();
      input(row, "title").focus();
    });
    document.addEventListener("formset:removed", (event) => {
      if (!event.detail || event.detail.formsetName === prefix) arrange();
    });

    rows().forEach(prepare);
    arrange();
  }

  function init() {
    document.querySelectorAll(".inline-group.section-tree").forEach(start);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
