/* The article form's 栏目 list holds the chosen issue's sections (articles/admin.py ArticleForm,
   which puts every issue's in data-sections); when the issue changes, so does the list. The
   server refuses a section of another issue in any case. */
(function () {
  "use strict";

  function start() {
    const section = document.getElementById("id_section");
    const issue = document.getElementById("id_issue");
    if (!section || !issue || !section.dataset.sections) return;
    const byIssue = JSON.parse(section.dataset.sections);
    const first = section.options[0];
    const empty = first && first.value === "" ? first.textContent : "---------";

    function update() {
      const chosen = section.value;
      const rows = byIssue[issue.value] || [];
      section.replaceChildren(
        new Option(empty, ""),
        ...rows.map(([pk, label]) => new Option(label, String(pk)))
      );
      section.value = rows.some(([pk]) => String(pk) === chosen) ? chosen : "";
    }

    // The issue is a select2 autocomplete, which tells jQuery's handlers, not the DOM's.
    if (window.django && window.django.jQuery) window.django.jQuery(issue).on("change", update);
    else issue.addEventListener("change", update);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
