/* Names for the admin's autocompletes (Django's vendored select2 4.0): select2 hides the
   <select> that the field's <label> names and draws its own boxes with no name of their own
   (axe-core: label, aria-input-field-name), and a multiple one puts its 清除全部 <span> straight
   into its <ul> (axe-core: list). Each box is named after the field's <label>, again whenever
   select2 redraws it. A static file, for the Content-Security-Policy. */
(function () {
  "use strict";

  function labelOf(select) {
    const label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (!label) return null;
    if (!label.id) label.id = select.id + "-label";
    return label;
  }

  function name(label) {
    return label.textContent.trim().replace(/[:：]$/, "");
  }

  function setAttr(element, attribute, value) {
    if (element && element.getAttribute(attribute) !== value) element.setAttribute(attribute, value);
  }

  function fix(select, container) {
    const label = labelOf(select);
    if (!label) return;
    const selection = container.querySelector(".select2-selection");
    const rendered = container.querySelector(".select2-selection__rendered");
    // The field's name, then (for a single choice) what is chosen.
    const shown = rendered && rendered.id && !select.multiple ? " " + rendered.id : "";
    setAttr(selection, "aria-labelledby", label.id + shown);
    if (rendered && rendered.getAttribute("role") === "textbox") {
      setAttr(rendered, "aria-labelledby", label.id);
    }
    container.querySelectorAll(".select2-search__field").forEach(function (field) {
      setAttr(field, "aria-label", name(label));
    });
    if (rendered && rendered.tagName === "UL") {
      Array.from(rendered.children).forEach(function (child) {
        if (child.tagName === "LI") return;
        const item = document.createElement("li");
        item.className = "select2-clear-item";
        rendered.insertBefore(item, child);
        item.appendChild(child);
      });
    }
  }

  function watch(select) {
    const container = select.nextElementSibling;
    if (!container || !container.classList.contains("select2")) return false;
    fix(select, container);
    new MutationObserver(function () {
      fix(select, container);
    }).observe(container, { childList: true, subtree: true });
    return true;
  }

  function labelDropdown(select) {
    // A single choice's search box lives in the dropdown, appended to <body> when it opens.
    const label = labelOf(select);
    if (!label) return;
    document.querySelectorAll(".select2-container--open .select2-search__field").forEach(
      function (field) {
        setAttr(field, "aria-label", name(label));
      }
    );
  }

  function start() {
    const selects = Array.from(document.querySelectorAll("select.admin-autocomplete")).filter(
      function (select) {
        return !select.name.includes("__prefix__");
      }
    );
    selects.forEach(function (select) {
      if (!watch(select)) {
        // Not drawn yet (select2 starts on jQuery's ready): wait for its container.
        const observer = new MutationObserver(function () {
          if (watch(select)) observer.disconnect();
        });
        observer.observe(select.parentNode, { childList: true });
      }
      if (window.django && window.django.jQuery) {
        window.django.jQuery(select).on("select2:open", function () {
          labelDropdown(select);
        });
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
